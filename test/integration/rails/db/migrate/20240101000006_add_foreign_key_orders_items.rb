# The foreign key checks new rows only; the existing ones are checked in the next migration.
class AddForeignKeyOrdersItems < ActiveRecord::Migration[6.1]
  def change
    add_foreign_key :orders, :items, validate: false
  end
end
