# A constant default: metadata only since PostgreSQL 11, on any table.
class AddPlanToUsers < ActiveRecord::Migration[6.1]
  def change
    add_column :users, :plan, :string, default: "free", null: false
  end
end
