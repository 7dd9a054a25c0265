# The column, and its index built concurrently, outside a transaction.
class AddItemToOrders < ActiveRecord::Migration[6.1]
  disable_ddl_transaction!

  def change
    add_reference :orders, :item, index: { algorithm: :concurrently }
  end
end
