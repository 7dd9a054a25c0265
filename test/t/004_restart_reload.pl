# migration_guard keeps working across reloads (settings from postgresql.conf and
# ALTER SYSTEM, picked up by open sessions too) and restarts (clean and immediate).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('restart_reload');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'migration_guard'");
$node->append_conf('postgresql.conf', 'autovacuum = off');
$node->start;

# big_t is about 2.7MB: under the default 10MB threshold, over a 1MB one.
$node->safe_psql('postgres',
	"CREATE TABLE big_t AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 20000) g");

my $refused = qr/creating an index without CONCURRENTLY would block writes on large table "public\.big_t"/;

# CREATE INDEX on big_t in a new session; returns "<sqlstate> <index count>" and stderr.
sub try_index
{
	my ($ret, $out, $err) = $node->psql('postgres',
		"CREATE INDEX big_t_id_idx ON big_t (id);\n\\echo :LAST_ERROR_SQLSTATE\n"
		  . "SELECT count(*) FROM pg_indexes WHERE indexname = 'big_t_id_idx';\n"
		  . "DROP INDEX CONCURRENTLY IF EXISTS big_t_id_idx;",
		on_error_stop => 0);
	$out =~ s/\n/ /g;
	return ($out, $err);
}

sub settings
{
	return $node->safe_psql('postgres',
		"SELECT current_setting('migration_guard.mode') || ' ' || current_setting('migration_guard.large_table_threshold')");
}

my ($out, $err);

is(settings(), 'enforce 10MB', 'the defaults at start');
($out, $err) = try_index();
is($out, '00000 1', 'with the default 10MB threshold CREATE INDEX on big_t runs');

# ---------------------------------------------------------------- reload: postgresql.conf
$node->append_conf('postgresql.conf', "migration_guard.large_table_threshold = '1MB'");
$node->reload;
is(settings(), 'enforce 1MB', 'threshold 1MB in postgresql.conf, after a reload');
($out, $err) = try_index();
is($out, 'MG001 0', '... CREATE INDEX on big_t is refused with MG001');
like($err, qr/ERROR:  $refused/, '... with the guard\'s message');

# an open session picks up a reload before its next statement
my $open_session;
$open_session = $node->background_psql('postgres', on_error_stop => 0)
  if $node->can('background_psql');
SKIP:
{
	skip 'PostgreSQL::Test::Cluster has no background_psql', 1 unless $open_session;
	is($open_session->query_safe("SELECT current_setting('migration_guard.mode')"),
		'enforce', 'an open session has enforce');
}

$node->append_conf('postgresql.conf', 'migration_guard.mode = warn');
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('migration_guard.mode') = 'warn'")
  or die 'the reload was not seen';
is(settings(), 'warn 1MB', 'mode warn in postgresql.conf, after a reload');
($out, $err) = try_index();
is($out, '00000 1', '... CREATE INDEX on big_t runs');
like($err, qr/WARNING:  $refused/, '... with a WARNING');
SKIP:
{
	skip 'PostgreSQL::Test::Cluster has no background_psql', 1 unless $open_session;
	is($open_session->query_safe("SELECT current_setting('migration_guard.mode')"),
		'warn', '... and the session opened before the reload has warn too');
}

# a bad value in the file is rejected by the reload, and the previous value stays
my $log_offset = -s $node->logfile;
$node->append_conf('postgresql.conf', "migration_guard.mode = 'bogus'");
$node->reload;
ok($node->wait_for_log(qr/LOG:  invalid value for parameter "migration_guard\.mode": "bogus"/, $log_offset),
	'a reload with mode = bogus logs "invalid value for parameter"');
is(settings(), 'warn 1MB', '... and mode keeps its previous value, warn');
($out, $err) = try_index();
is($out, '00000 1', '... and the guard still warns only');
like($err, qr/WARNING:  $refused/, '... with a WARNING');
$node->append_conf('postgresql.conf', 'migration_guard.mode = warn'); # the last line wins

# ---------------------------------------------------------------- reload: ALTER SYSTEM
$node->safe_psql('postgres', "ALTER SYSTEM SET migration_guard.mode = 'off'");
$node->reload;
is(settings(), 'off 1MB', 'ALTER SYSTEM SET mode = off (overriding postgresql.conf), after a reload');
($out, $err) = try_index();
is($out . $err, '00000 1', '... CREATE INDEX on big_t runs silently');

$node->safe_psql('postgres', "ALTER SYSTEM SET migration_guard.mode = 'enforce'");
$node->reload;
is(settings(), 'enforce 1MB', 'ALTER SYSTEM SET mode = enforce, after a reload');
($out, $err) = try_index();
is($out, 'MG001 0', '... CREATE INDEX on big_t is refused with MG001 again');

SKIP:
{
	skip 'PostgreSQL::Test::Cluster has no background_psql', 1 unless $open_session;
	$node->poll_query_until('postgres', "SELECT current_setting('migration_guard.mode') = 'enforce'");
	$open_session->query_safe('SELECT 1');
	is($open_session->query_safe("SELECT current_setting('migration_guard.mode')"),
		'enforce', 'the session opened earlier follows the reloads too');
	$open_session->quit;
}

# ---------------------------------------------------------------- restart
$node->restart;
is(settings(), 'enforce 1MB', 'after a clean restart the settings are as configured');
($out, $err) = try_index();
is($out, 'MG001 0', '... and CREATE INDEX on big_t is refused with MG001');
like($err, qr/ERROR:  $refused/, '... with the guard\'s message');
(undef, $out, $err) = $node->psql('postgres', "SET migration_guard.bogus = 1;\n\\echo :LAST_ERROR_SQLSTATE", on_error_stop => 0);
is($out, '42602', '... and the migration_guard. prefix is still reserved');

$node->stop('immediate');
$node->start;
is(settings(), 'enforce 1MB', 'after an immediate stop and crash recovery the settings are as configured');
($out, $err) = try_index();
is($out, 'MG001 0', '... and CREATE INDEX on big_t is refused with MG001');
is($node->safe_psql('postgres', 'SELECT count(*) FROM big_t'), '20000', '... and big_t survived intact');

(undef, $out, $err) = $node->psql('postgres',
	"CREATE INDEX CONCURRENTLY big_t_cc_idx ON big_t (id);\n\\echo :LAST_ERROR_SQLSTATE", on_error_stop => 0);
is($out, '00000', '... while CREATE INDEX CONCURRENTLY on big_t runs');
$node->safe_psql('postgres', 'DROP INDEX CONCURRENTLY big_t_cc_idx');

# ---------------------------------------------------------------- a bad mode at start-up
# The file is read before the library defines its settings, so the bad value cannot stop
# the server: it starts with a WARNING, and the guard falls back to its default, enforce.
$node->safe_psql('postgres', 'ALTER SYSTEM RESET migration_guard.mode');
$node->append_conf('postgresql.conf', "migration_guard.mode = 'bogus'");
$log_offset = -s $node->logfile;
$node->restart;
ok($node->wait_for_log(qr/WARNING:  invalid value for parameter "migration_guard\.mode": "bogus"/, $log_offset),
	'a restart with mode = bogus in postgresql.conf logs a WARNING "invalid value for parameter"');
is(settings(), 'enforce 1MB', '... the server runs, with mode at its default, enforce');
($out, $err) = try_index();
is($out, 'MG001 0', '... and CREATE INDEX on big_t is refused with MG001');

$node->stop;
done_testing();
