# Unsafe first draft: SET NOT NULL scans orders under ACCESS EXCLUSIVE.
class AddOrdersStatusNullCheck < ActiveRecord::Migration[6.1]
  def change
    change_column_null :orders, :status, false
  end
end
