# Runs this project's migrations with ActiveRecord (Debian's ruby-activerecord and ruby-pg),
# the way "rails db:migrate" does, through ActiveRecord::MigrationContext:
#
#   ruby migrate.rb [VERSION]      (from the project directory: db/migrate; VERSION in full,
#                                   e.g. 20240101000003)
#
# The connection comes from PGHOST, PGPORT, PGUSER and MG_DB_NAME; lock_timeout is set for the
# session, as the README advises. MG_APPLICATION_NAME and MG_ALLOW (the test's measuring
# override) are set as session variables when given. On an error, prints the exception's class
# and message (ActiveRecord's, which carries PostgreSQL's message, DETAIL and HINT) and exits 1.
require "active_record"

variables = { "lock_timeout" => "5s" }
variables["application_name"] = ENV["MG_APPLICATION_NAME"] if ENV["MG_APPLICATION_NAME"]
variables["migration_guard.allow"] = ENV["MG_ALLOW"] if ENV["MG_ALLOW"]
ActiveRecord::Base.establish_connection(
  adapter: "postgresql",
  host: ENV["PGHOST"],
  port: ENV["PGPORT"],
  username: ENV["PGUSER"],
  database: ENV.fetch("MG_DB_NAME"),
  variables: variables
)
ActiveRecord::Migration.verbose = true
$stdout.sync = true
# The guard's warnings are in migration_guard.events and the server log; the pg gem would print
# every notice on stderr.
ActiveRecord::Base.connection.raw_connection.set_notice_receiver { |_result| }

version = ARGV[0] && Integer(ARGV[0], 10)
begin
  context = ActiveRecord::MigrationContext.new(File.join(Dir.pwd, "db/migrate"), ActiveRecord::SchemaMigration)
  context.migrate(version)
rescue StandardError => e
  puts "#{e.class}: #{e.message}"
  exit 1
end
