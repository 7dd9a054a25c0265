# A volatile default would rewrite the table: the column first, the default for new rows after,
# and the existing rows backfilled in batches (not shown).
class AddPublicIdToUsers < ActiveRecord::Migration[6.1]
  def up
    add_column :users, :public_id, :uuid
    change_column_default :users, :public_id, -> { "gen_random_uuid()" }
  end

  def down
    remove_column :users, :public_id
  end
end
