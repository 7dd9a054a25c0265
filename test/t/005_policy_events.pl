# migration_guard: policy and events where a single session cannot show them.
#  - an ordinary role cannot weaken the policy or override a rule from its connection options;
#  - an override role's member can, and the audit line lands in the server log (text and json);
#  - the events ring and the counters stay exact when several sessions record at once
#    (pgbench, 4 clients), and the ring keeps only migration_guard.events_size entries (the
#    newest of the flooding role, and the other role's events).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('policy');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'migration_guard'
autovacuum = off
migration_guard.events_size = 50
migration_guard.override_role = 'migrators'
migration_guard.large_table_threshold = 0
});
$node->start;

$node->safe_psql(
	'postgres', q{
	CREATE EXTENSION migration_guard;
	CREATE ROLE app LOGIN;
	CREATE ROLE migrators;
	CREATE ROLE migrator LOGIN IN ROLE migrators;
	CREATE TABLE t (id int, c int);
	INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;
	ALTER TABLE t OWNER TO migrators;
	GRANT CREATE ON SCHEMA public TO migrators;
	GRANT ALL ON t TO app;
});
my $base = $node->connstr('postgres');

# ---------------------------------------------------------------- connection options
foreach my $opt (
	'migration_guard.rule_severity=create_index_blocking=off',
	'migration_guard.override_role=app',
	'migration_guard.log_format=json')
{
	my ($param) = $opt =~ /^([^=]+)=/;
	$node->connect_fails(
		"$base user=app options='-c $opt'",
		"ordinary role connecting with -c $opt is refused",
		expected_stderr => qr/FATAL:  permission denied to set parameter "\Q$param\E"/);
}
$node->connect_fails(
	"$base user=app options='-c migration_guard.allow=create_index_blocking:because'",
	'ordinary role connecting with -c migration_guard.allow is refused',
	expected_stderr => qr/FATAL:  permission denied to override migration_guard rules/);
$node->connect_fails(
	"$base options='-c migration_guard.events_size=5'",
	'events_size cannot be set on a connection, even by a superuser',
	expected_stderr => qr/FATAL:  parameter "migration_guard.events_size" cannot be changed without restarting the server/);

# ALTER ROLE ... SET by a superuser for a non-member: the login ignores it with a warning
$node->safe_psql('postgres', q{ALTER ROLE app SET migration_guard.allow = 'create_index_blocking: set for app'});
my ($ret, $out, $err) = $node->psql('postgres', 'SHOW migration_guard.allow', connstr => "$base user=app");
is($out, '', 'a stored override for a non-member is not applied at login');
like($err, qr/permission denied to override migration_guard rules/, '... and the login says why');
$node->safe_psql('postgres', 'ALTER ROLE app RESET migration_guard.allow');

# ---------------------------------------------------------------- a member's override, audited
$node->connect_ok(
	"$base user=migrator options='-c migration_guard.allow=create_index_blocking:from-the-connection'",
	'a member of override_role may override from the connection options',
	sql => 'CREATE INDEX t_c_idx ON t (c)');
my $log = slurp_file($node->logfile);
like(
	$log,
	qr/LOG:  migration_guard: action=overridden rule=create_index_blocking severity=error user=migrator database=postgres application_name='[^']*' client_addr=\[local\] relation='public\.t' table_size=\d+ reason='from-the-connection' statement='CREATE INDEX t_c_idx ON t \(c\)'/,
	'the audit line names user, database, application, client, rule, table, size, reason and statement');

$node->safe_psql('postgres', q{ALTER SYSTEM SET migration_guard.log_format = 'json'; SELECT pg_reload_conf();});
$node->poll_query_until('postgres', q{SELECT current_setting('migration_guard.log_format') = 'json'});
$node->psql(
	'postgres',
	"/* migration_guard:allow create_index_blocking: json please */ CREATE INDEX t_c2_idx ON t (c)",
	connstr => "$base user=migrator");
$log = slurp_file($node->logfile);
my ($json) = $log =~ /LOG:  (\{"source":"migration_guard".*"reason":"json please".*\})\n/;
ok(defined $json, 'with log_format = json the audit line is one JSON object');
like($json // '', qr/"action":"overridden","rule":"create_index_blocking"/, '... with the action and the rule');
$node->safe_psql('postgres', q{ALTER SYSTEM RESET migration_guard.log_format; SELECT pg_reload_conf();});

# ---------------------------------------------------------------- concurrency
$node->safe_psql('postgres', 'SELECT migration_guard.reset_stats()');
my $others_before = $node->safe_psql('postgres',
	q{SELECT string_agg(event_id::text, ',' ORDER BY event_id) FROM migration_guard.events WHERE usename <> 'app'});
$node->safe_psql('postgres', q{ALTER ROLE app SET migration_guard.mode = 'warn'});
# 4 clients x 100 transactions, each warned once by dml_without_where (warn mode: it runs)
$node->pgbench(
	"--no-vacuum --client=4 --jobs=2 --transactions=100 --username=app",
	0,
	[qr{processed: 400/400}],
	[qr{}],
	'pgbench: 4 sessions warned at once',
	{
		'mg_events' => q{
BEGIN;
UPDATE t SET c = c;
ROLLBACK;
}
	});
is($node->safe_psql('postgres', q{SELECT warned FROM migration_guard.stats WHERE rule = 'dml_without_where'}),
	'400', 'the counter saw every one of the 400 warnings');
# the ring holds events_size (50) events: the other roles' events recorded above all stay (no
# role pushes another's events out, 006_events_share.pl), and app's newest fill the rest
is($node->safe_psql('postgres', q{SELECT count(*) FROM migration_guard.events}), '50',
	'the ring holds events_size (50) events');
is($node->safe_psql('postgres', q{SELECT string_agg(event_id::text, ',' ORDER BY event_id) FROM migration_guard.events WHERE usename <> 'app'}),
	$others_before, "the other roles' events recorded before stay");
my @others = split /,/, $others_before;
my $n_app = 50 - @others;
ok($n_app >= 40, "app holds most of the ring ($n_app)");
is( $node->safe_psql(
		'postgres', q{SELECT count(*), count(DISTINCT event_id), max(event_id) - min(event_id) + 1,
		                     max(event_id) = (SELECT max(event_id) FROM migration_guard.events)
		                FROM migration_guard.events WHERE usename = 'app'}),
	"$n_app|$n_app|$n_app|t",
	"app's newest events, consecutive and without duplicates");
is($node->safe_psql('postgres', q{SELECT count(*) FROM migration_guard.events WHERE statement NOT LIKE 'UPDATE t SET c = c%' AND usename = 'app'}),
	'0', 'no event was torn by a concurrent writer');

$node->stop;
done_testing();
