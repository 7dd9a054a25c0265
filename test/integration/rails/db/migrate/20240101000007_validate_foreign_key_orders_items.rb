class ValidateForeignKeyOrdersItems < ActiveRecord::Migration[6.1]
  def change
    validate_foreign_key :orders, :items
  end
end
