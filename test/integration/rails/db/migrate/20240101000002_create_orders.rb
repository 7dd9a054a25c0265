class CreateOrders < ActiveRecord::Migration[6.1]
  def change
    create_table :orders do |t|
      t.references :user, null: false, foreign_key: true
      t.decimal :total, precision: 12, scale: 2, null: false
      t.string :status
      t.timestamps
    end
  end
end
