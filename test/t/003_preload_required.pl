# migration_guard works only from shared_preload_libraries. Loaded any other way (LOAD,
# CREATE EXTENSION, session_preload_libraries) its _PG_init raises ERROR 55000 with a hint,
# and nothing of the guard is left behind. Preloading it, as the hint says, fixes that.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('no_preload');
$node->init;
$node->append_conf('postgresql.conf', 'autovacuum = off');
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), '',
	'the server starts without shared_preload_libraries');

my $must = qr/ERROR:  55000: migration_guard must be loaded via shared_preload_libraries/;
my $hint = qr/HINT:  Add migration_guard to shared_preload_libraries in postgresql\.conf/;
my ($ret, $out, $err);

# ---------------------------------------------------------------- LOAD
($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\nLOAD 'migration_guard'");
isnt($ret, 0, "LOAD 'migration_guard' fails");
like($err, $must, '... with 55000 "must be loaded via shared_preload_libraries"');
like($err, $hint, '... and the hint');

# twice in one session: the failed first attempt left nothing half-initialised
($ret, $out, $err) = $node->psql('postgres',
	"LOAD 'migration_guard';\n\\echo :LAST_ERROR_SQLSTATE\nLOAD 'migration_guard';\n\\echo :LAST_ERROR_SQLSTATE\n"
	  . "SELECT count(*) FROM pg_settings WHERE name LIKE 'migration_guard.%';",
	on_error_stop => 0);
is($out, "55000\n55000\n0", 'a second LOAD in the same session fails the same way, and defines no setting');

# nothing is reserved or hooked: the names are free placeholders
is($node->safe_psql('postgres', "SET migration_guard.bogus = 'x'; SHOW migration_guard.bogus"),
	'x', 'without the library, migration_guard.* names are ordinary placeholders');

# ---------------------------------------------------------------- CREATE EXTENSION
($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\nCREATE EXTENSION migration_guard");
isnt($ret, 0, 'CREATE EXTENSION migration_guard fails');
like($err, $must, '... with 55000 "must be loaded via shared_preload_libraries"');
like($err, $hint, '... and the hint');
is($node->safe_psql('postgres',
		"SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'migration_guard') || ' ' ||
		        (SELECT count(*) FROM pg_namespace WHERE nspname = 'migration_guard')"),
	'0 0', '... and leaves neither the extension nor its schema');

# ---------------------------------------------------------------- session_preload_libraries
$node->connect_fails(
	$node->connstr('postgres') . " options='-c session_preload_libraries=migration_guard'",
	'a connection with session_preload_libraries=migration_guard is refused',
	expected_stderr => qr/migration_guard must be loaded via shared_preload_libraries/);

# ---------------------------------------------------------------- a big CREATE INDEX is not refused
$node->safe_psql('postgres',
	"CREATE TABLE big_t AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 20000) g");
($ret, $out, $err) = $node->psql('postgres',
	"SET migration_guard.large_table_threshold = 0;\nCREATE INDEX big_t_id_idx ON big_t (id);\n\\echo :LAST_ERROR_SQLSTATE",
	on_error_stop => 0);
is($out, '00000', 'without the preload the guard is absent: CREATE INDEX at threshold 0 runs');
$node->safe_psql('postgres', 'DROP INDEX big_t_id_idx');

# ---------------------------------------------------------------- the hint's remedy
$node->safe_psql('postgres', "ALTER SYSTEM SET shared_preload_libraries = 'migration_guard'");
$node->restart;
is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), 'migration_guard',
	'after ALTER SYSTEM SET shared_preload_libraries and a restart the guard is preloaded');
($ret, $out, $err) = $node->psql('postgres', 'CREATE EXTENSION migration_guard; SELECT migration_guard.version()');
is($ret, 0, 'CREATE EXTENSION migration_guard now succeeds');
is($out, '0.1.0', '... and version() says 0.1.0');
is($node->safe_psql('postgres', "LOAD 'migration_guard'; SHOW migration_guard.mode"), 'enforce',
	"LOAD 'migration_guard' is now a harmless no-op");
($ret, $out, $err) = $node->psql('postgres',
	"SET migration_guard.large_table_threshold = 0;\nCREATE INDEX big_t_id_idx ON big_t (id);\n\\echo :LAST_ERROR_SQLSTATE",
	on_error_stop => 0);
is($out, 'MG001', '... and the same CREATE INDEX is refused with MG001');

$node->stop;
done_testing();
