# Unsafe first draft: a plain CREATE INDEX, which blocks writes on orders for the whole build.
class AddIndexOrdersStatus < ActiveRecord::Migration[6.1]
  def change
    add_index :orders, :status
  end
end
