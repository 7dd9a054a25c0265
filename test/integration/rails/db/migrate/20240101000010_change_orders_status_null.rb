# ... proves the column has no NULL, so SET NOT NULL scans nothing; then the CHECK goes.
class ChangeOrdersStatusNull < ActiveRecord::Migration[6.1]
  def change
    change_column_null :orders, :status, false
    remove_check_constraint :orders, "status IS NOT NULL", name: "orders_status_null"
  end
end
