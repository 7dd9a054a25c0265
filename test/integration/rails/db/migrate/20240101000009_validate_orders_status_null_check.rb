# ... validated under a lock that lets reads and writes go on...
class ValidateOrdersStatusNullCheck < ActiveRecord::Migration[6.1]
  def change
    validate_check_constraint :orders, name: "orders_status_null"
  end
end
