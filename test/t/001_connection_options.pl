# migration_guard: its settings are PGC_SUSET, so a connection's startup options may set
# them for a superuser but not for an ordinary role ("permission denied to set parameter",
# and the connection is refused).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('options');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'migration_guard'");
$node->append_conf('postgresql.conf', 'autovacuum = off');
$node->start;

$node->safe_psql(
	'postgres', q{
	CREATE ROLE app LOGIN;
	CREATE TABLE small_t AS SELECT g AS id FROM generate_series(1, 100) g;
	ALTER TABLE small_t OWNER TO app;
});

my $base = $node->connstr('postgres');

# The superuser's name is the OS user's; connstr() names none.
my $super = $node->safe_psql('postgres', 'SELECT current_user');
is($node->safe_psql('postgres', 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user'),
	't', "the default test user $super is a superuser");

# ---------------------------------------------------------------- ordinary role: refused
foreach my $opt ('migration_guard.mode=off', 'migration_guard.mode=warn',
	'migration_guard.large_table_threshold=0', 'migration_guard.large_table_threshold=1TB')
{
	my ($param) = $opt =~ /^([^=]+)=/;
	# The server log is read here rather than with connect_fails(log_like => ...), which since
	# PostgreSQL 17.x/18 waits for DEBUG2 lines about the backend's exit that this cluster does
	# not write. The FATAL line is logged before the client hears of it.
	my $log_offset = -s $node->logfile;
	$node->connect_fails(
		"$base user=app options='-c $opt'",
		"ordinary role connecting with -c $opt is refused",
		expected_stderr =>
		  qr/FATAL:  permission denied to set parameter "\Q$param\E"/);
	ok($node->wait_for_log(qr/FATAL:  permission denied to set parameter "\Q$param\E"/, $log_offset),
		"ordinary role connecting with -c $opt is refused: log matches");
}

# the same role connects fine without the option, so the option was the reason
$node->connect_ok(
	"$base user=app",
	'ordinary role connects without the options',
	sql => 'SHOW migration_guard.mode',
	expected_stdout => qr/^enforce$/);

# ---------------------------------------------------------------- superuser: allowed
$node->connect_ok(
	"$base options='-c migration_guard.mode=off'",
	'superuser connects with -c migration_guard.mode=off',
	sql => 'SHOW migration_guard.mode',
	expected_stdout => qr/^off$/);
$node->connect_ok(
	"$base options='-c migration_guard.large_table_threshold=0'",
	'superuser connects with -c migration_guard.large_table_threshold=0',
	sql => 'SHOW migration_guard.large_table_threshold',
	expected_stdout => qr/^0$/);

# ... and the options change what the guard does in that session. small_t (8kB) is under the
# default 10MB threshold; with the threshold at 0 every table is large.
my ($ret, $out, $err) = $node->psql(
	'postgres',
	"CREATE INDEX small_t_a_idx ON small_t (id);\n\\echo :LAST_ERROR_SQLSTATE",
	connstr => "$base options='-c migration_guard.large_table_threshold=0'",
	on_error_stop => 0);
is($out, 'MG001', 'threshold 0 from the startup options: CREATE INDEX on a small table is refused with MG001');
like($err,
	qr/ERROR:  creating an index without CONCURRENTLY would block writes on large table "public\.small_t"/,
	'... with the guard\'s message');

($ret, $out, $err) = $node->psql(
	'postgres',
	"CREATE INDEX small_t_b_idx ON small_t (id);\n\\echo :LAST_ERROR_SQLSTATE",
	connstr =>
	  "$base options='-c migration_guard.large_table_threshold=0 -c migration_guard.mode=warn'",
	on_error_stop => 0);
is($out, '00000', 'threshold 0 and mode warn from the startup options: the same CREATE INDEX runs');
like($err, qr/WARNING:  creating an index without CONCURRENTLY would block writes on large table "public\.small_t"/,
	'... with a WARNING');

($ret, $out, $err) = $node->psql(
	'postgres',
	"CREATE INDEX small_t_c_idx ON small_t (id);\n\\echo :LAST_ERROR_SQLSTATE",
	connstr => "$base options='-c migration_guard.large_table_threshold=0 -c migration_guard.mode=off'",
	on_error_stop => 0);
is($out, '00000', 'threshold 0 and mode off from the startup options: CREATE INDEX runs');
is($err, '', '... silently');

is($node->safe_psql('postgres',
		"SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY 1) FROM pg_index WHERE indrelid = 'small_t'::regclass"),
	'small_t_b_idx,small_t_c_idx', 'exactly the two allowed indexes exist');

# in a session without options the defaults are back
$node->connect_ok(
	"$base",
	'superuser without options',
	sql => "SELECT current_setting('migration_guard.mode') || ' ' || current_setting('migration_guard.large_table_threshold')",
	expected_stdout => qr/^enforce 10MB$/);

# ---------------------------------------------------------------- GRANT SET ON PARAMETER
# PostgreSQL 15's parameter privileges are the one way to let an ordinary role change a
# PGC_SUSET setting; the guard's settings honour them like any other.
$node->safe_psql('postgres', 'GRANT SET ON PARAMETER migration_guard.mode TO app');
$node->connect_ok(
	"$base user=app options='-c migration_guard.mode=warn'",
	'after GRANT SET ON PARAMETER migration_guard.mode, the role may set it at connection',
	sql => 'SHOW migration_guard.mode',
	expected_stdout => qr/^warn$/);
$node->connect_fails(
	"$base user=app options='-c migration_guard.large_table_threshold=0'",
	'... but still not the threshold, which was not granted',
	expected_stderr =>
	  qr/FATAL:  permission denied to set parameter "migration_guard\.large_table_threshold"/);
$node->safe_psql('postgres', 'REVOKE SET ON PARAMETER migration_guard.mode FROM app');
$node->connect_fails(
	"$base user=app options='-c migration_guard.mode=warn'",
	'after REVOKE the role is refused again',
	expected_stderr => qr/FATAL:  permission denied to set parameter "migration_guard\.mode"/);

$node->stop;
done_testing();
