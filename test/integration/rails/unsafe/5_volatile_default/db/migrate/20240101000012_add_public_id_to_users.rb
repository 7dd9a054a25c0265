# Unsafe first draft: a volatile default writes a value into every row under ACCESS EXCLUSIVE.
class AddPublicIdToUsers < ActiveRecord::Migration[6.1]
  def change
    add_column :users, :public_id, :uuid, default: -> { "gen_random_uuid()" }
  end
end
