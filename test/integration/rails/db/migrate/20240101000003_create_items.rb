class CreateItems < ActiveRecord::Migration[6.1]
  def change
    create_table :items do |t|
      t.string :sku, null: false, index: { unique: true }
      t.check_constraint "char_length(sku) > 0", name: "items_sku_not_empty"
      t.timestamps
    end
  end
end
