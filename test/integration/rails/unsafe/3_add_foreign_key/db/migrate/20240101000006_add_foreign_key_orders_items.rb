# Unsafe first draft: the foreign key checks every row of orders while it blocks writes.
class AddForeignKeyOrdersItems < ActiveRecord::Migration[6.1]
  def change
    add_foreign_key :orders, :items
  end
end
