# NOT NULL without a scan under ACCESS EXCLUSIVE: a CHECK that is not validated yet...
class AddOrdersStatusNullCheck < ActiveRecord::Migration[6.1]
  def change
    add_check_constraint :orders, "status IS NOT NULL", name: "orders_status_null", validate: false
  end
end
