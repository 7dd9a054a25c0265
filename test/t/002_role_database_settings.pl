# migration_guard: ALTER ROLE ... SET and ALTER DATABASE ... SET by a superuser apply to new
# sessions of that role or database, and change what the guard does there. An ordinary role
# cannot put the settings into its own role or database defaults.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('role_db');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'migration_guard'");
$node->append_conf('postgresql.conf', 'autovacuum = off');
$node->start;

# big_t is about 2.7MB: under the default 10MB threshold, over a 1MB one.
$node->safe_psql(
	'postgres', q{
	CREATE ROLE app LOGIN;
	GRANT CREATE ON SCHEMA public TO app;
	CREATE DATABASE appdb OWNER app;
	CREATE TABLE big_t AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 20000) g;
	ALTER TABLE big_t OWNER TO app;
});
$node->safe_psql(
	'appdb', q{
	CREATE TABLE small_t AS SELECT g AS id FROM generate_series(1, 100) g;
	ALTER TABLE small_t OWNER TO app;
});
cmp_ok($node->safe_psql('postgres', "SELECT pg_table_size('big_t')"),
	'>=', 1024 * 1024, 'big_t is at least 1MB');
cmp_ok($node->safe_psql('postgres', "SELECT pg_table_size('big_t')"),
	'<', 10 * 1024 * 1024, 'big_t is under 10MB');

# Runs $sql as $user in $db in a new session; returns (exit code, stdout, stderr).
sub run_as
{
	my ($user, $db, $sql) = @_;
	return $node->psql($db, $sql,
		connstr => $node->connstr($db) . " user=$user", on_error_stop => 0);
}

sub settings_of
{
	my ($user, $db) = @_;
	my ($ret, $out, $err) = run_as($user, $db,
		"SELECT current_setting('migration_guard.mode') || ' ' || current_setting('migration_guard.large_table_threshold')");
	return $out;
}

my $super = $node->safe_psql('postgres', 'SELECT current_user');
my $refused = qr/creating an index without CONCURRENTLY would block writes on large table "public\.big_t"/;
my $create_index_sql = "CREATE INDEX big_t_id_idx ON big_t (id);\n\\echo :LAST_ERROR_SQLSTATE";
my ($ret, $out, $err);

# ---------------------------------------------------------------- defaults
is(settings_of('app', 'postgres'), 'enforce 10MB', 'app starts with the defaults');
($ret, $out, $err) = run_as('app', 'postgres', $create_index_sql);
is($out . $err, '00000', 'with the default 10MB threshold app\'s CREATE INDEX on big_t runs silently');
$node->safe_psql('postgres', 'DROP INDEX big_t_id_idx');

# ---------------------------------------------------------------- ALTER ROLE ... SET
$node->safe_psql('postgres', "ALTER ROLE app SET migration_guard.large_table_threshold = '1MB'");
is(settings_of('app', 'postgres'), 'enforce 1MB', 'ALTER ROLE app SET large_table_threshold = 1MB: a new app session has 1MB');
is(settings_of($super, 'postgres'), 'enforce 10MB', '... other roles keep 10MB');
($ret, $out, $err) = run_as('app', 'postgres', $create_index_sql);
is($out, 'MG001', '... and app\'s CREATE INDEX on big_t is now refused with MG001');
like($err, qr/ERROR:  $refused/, '... with the guard\'s message');
($ret, $out, $err) = run_as($super, 'postgres', "$create_index_sql\nDROP INDEX big_t_id_idx;");
is($out . $err, '00000', '... while the same CREATE INDEX by another role runs silently');

# an app session that is already open when the role's setting changes
my $open_session;
$open_session = $node->background_psql('postgres', on_error_stop => 0, extra_params => [ '-U', 'app' ])
  if $node->can('background_psql');

$node->safe_psql('postgres', "ALTER ROLE app SET migration_guard.mode = 'warn'");
is(settings_of('app', 'postgres'), 'warn 1MB', 'ALTER ROLE app SET mode = warn: a new app session has warn');
($ret, $out, $err) = run_as('app', 'postgres', $create_index_sql);
is($out, '00000', '... and app\'s CREATE INDEX on big_t runs without an error');
like($err, qr/WARNING:  $refused/, '... with a WARNING carrying the refusal\'s text');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_indexes WHERE indexname = 'big_t_id_idx'"),
	'1', '... and the index exists');
$node->safe_psql('postgres', 'DROP INDEX big_t_id_idx');

SKIP:
{
	skip 'PostgreSQL::Test::Cluster has no background_psql', 1 unless $open_session;
	is($open_session->query_safe("SELECT current_user || ' ' || current_setting('migration_guard.mode')"),
		'app enforce', 'an app session opened before ALTER ROLE still has enforce');
	$open_session->quit;
}

$node->safe_psql('postgres', 'ALTER ROLE app RESET migration_guard.mode');
is(settings_of('app', 'postgres'), 'enforce 1MB', 'ALTER ROLE app RESET mode: enforce again');
($ret, $out, $err) = run_as('app', 'postgres', $create_index_sql);
is($out, 'MG001', '... and app\'s CREATE INDEX is refused again');

# ---------------------------------------------------------------- ALTER DATABASE ... SET
$node->safe_psql('postgres', "ALTER DATABASE appdb SET migration_guard.mode = 'off'");
$node->safe_psql('postgres', "ALTER DATABASE appdb SET migration_guard.large_table_threshold = 0");
is(settings_of($super, 'appdb'), 'off 0', 'ALTER DATABASE appdb SET ...: a new session in appdb has off 0');
is(settings_of($super, 'postgres'), 'enforce 10MB', '... a session in postgres keeps the defaults');
is(settings_of('app', 'appdb'), 'off 1MB', '... the role\'s own setting wins over the database\'s');

# small_t is 8kB: threshold 0 makes it large, mode off lets it through.
($ret, $out, $err) = run_as($super, 'appdb', "CREATE INDEX small_t_off_idx ON small_t (id);\n\\echo :LAST_ERROR_SQLSTATE");
is($out . $err, '00000', 'in appdb (mode off from the database) CREATE INDEX on small_t runs silently');

$node->safe_psql('postgres', "ALTER DATABASE appdb SET migration_guard.mode = 'enforce'");
is(settings_of($super, 'appdb'), 'enforce 0', 'ALTER DATABASE appdb SET mode = enforce: a new session has enforce 0');
($ret, $out, $err) = run_as($super, 'appdb', "CREATE INDEX small_t_enforce_idx ON small_t (id);\n\\echo :LAST_ERROR_SQLSTATE");
is($out, 'MG001', '... and CREATE INDEX on 8kB small_t is refused (threshold 0 from the database)');
like($err, qr/ERROR:  creating an index without CONCURRENTLY would block writes on large table "public\.small_t"/,
	'... with the guard\'s message');

# ALTER ROLE ... IN DATABASE beats both
$node->safe_psql('postgres', "ALTER ROLE app IN DATABASE appdb SET migration_guard.mode = 'warn'");
$node->safe_psql('postgres', "ALTER ROLE app IN DATABASE appdb SET migration_guard.large_table_threshold = '2MB'");
is(settings_of('app', 'appdb'), 'warn 2MB', 'ALTER ROLE app IN DATABASE appdb SET ...: app in appdb gets warn 2MB');
is(settings_of('app', 'postgres'), 'enforce 1MB', '... app elsewhere keeps its role setting');
is(settings_of($super, 'appdb'), 'enforce 0', '... other roles in appdb keep the database setting');

# ---------------------------------------------------------------- only a superuser may
($ret, $out, $err) = run_as('app', 'postgres', "ALTER ROLE app SET migration_guard.mode = 'off';\n\\echo :LAST_ERROR_SQLSTATE");
is($out, '42501', 'app cannot ALTER ROLE app SET migration_guard.mode (42501)');
like($err, qr/ERROR:  permission denied to set parameter "migration_guard\.mode"/, '... permission denied');
($ret, $out, $err) = run_as('app', 'postgres', "ALTER DATABASE appdb SET migration_guard.large_table_threshold = '1TB';\n\\echo :LAST_ERROR_SQLSTATE");
is($out, '42501', 'app cannot ALTER DATABASE appdb (which it owns) SET migration_guard.large_table_threshold (42501)');
like($err, qr/ERROR:  permission denied to set parameter "migration_guard\.large_table_threshold"/,
	'... permission denied');
($ret, $out, $err) = run_as('app', 'postgres', "ALTER ROLE app RESET migration_guard.large_table_threshold;\n\\echo :LAST_ERROR_SQLSTATE");
is($out, '42501', 'app cannot ALTER ROLE app RESET the threshold its superuser set (42501)');
like($err, qr/ERROR:  permission denied to set parameter "migration_guard\.large_table_threshold"/,
	'... permission denied');
is($node->safe_psql('postgres',
		"SELECT string_agg(coalesce(d.datname, '*') || ':' || array_to_string(s.setconfig, ','), ' ' ORDER BY 1)
		   FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase
		  WHERE s.setrole = 'app'::regrole"),
	'*:migration_guard.large_table_threshold=1MB appdb:migration_guard.mode=warn,migration_guard.large_table_threshold=2MB',
	'the refused attempts left app\'s settings as the superuser made them');

$node->stop;
done_testing();
