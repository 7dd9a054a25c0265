# strong_migrations' safe form: build the index concurrently, outside a transaction.
class AddIndexOrdersStatus < ActiveRecord::Migration[6.1]
  disable_ddl_transaction!

  def change
    add_index :orders, :status, algorithm: :concurrently
  end
end
