# Unsafe first draft: add_reference's index is a plain CREATE INDEX.
class AddItemToOrders < ActiveRecord::Migration[6.1]
  def change
    add_reference :orders, :item, index: true
  end
end
