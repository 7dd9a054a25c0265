# migration_guard: no role can empty the events ring (issue 14).
#  - the issue's attack: an unprivileged role loops 1,100 DELETEs on a table it may not touch.
#    PostgreSQL refuses each for lack of privilege before the guard judges it: nothing is
#    recorded, and every other role's events stay;
#  - the same role looping 1,100 refusals the guard does record (on its own large table): once
#    the ring is full it takes no more than a quarter of it from the others (what it filled while
#    the ring was not full it keeps, replacing its own oldest);
#  - a role that holds a quarter replaces its own events, never another role's;
#  - a role alone in the ring still sees its last events_size events, as before.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('events_share');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'migration_guard'
autovacuum = off
migration_guard.events_size = 100
});
$node->start;

$node->safe_psql(
	'postgres', q{
	CREATE EXTENSION migration_guard;
	CREATE ROLE victim LOGIN;
	CREATE ROLE attacker LOGIN;
	CREATE SCHEMA shared AUTHORIZATION victim;
	GRANT USAGE ON SCHEMA shared TO attacker;
	CREATE SCHEMA mine AUTHORIZATION attacker;
	ALTER ROLE victim SET migration_guard.large_table_threshold = '64kB';
	ALTER ROLE attacker SET migration_guard.large_table_threshold = '64kB';
});
$node->safe_psql(
	'postgres', q{
	CREATE TABLE shared.payroll (id int, salary int);
	INSERT INTO shared.payroll SELECT g, g FROM generate_series(1, 20000) g;
}, extra_params => [ '-U', 'victim' ]);
$node->safe_psql(
	'postgres', q{
	CREATE TABLE mine.big (id int, c int);
	INSERT INTO mine.big SELECT g, g FROM generate_series(1, 20000) g;
}, extra_params => [ '-U', 'attacker' ]);

# $n refused statements of one role, each caught, in one session
sub refusals
{
	my ($role, $stmt, $n) = @_;
	return $node->psql(
		'postgres', qq{
DO \$\$
BEGIN
  FOR i IN 1..$n LOOP
    BEGIN
      $stmt;
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
  END LOOP;
END
\$\$;
}, extra_params => [ '-U', $role ]);
}

sub count_of
{
	my ($role) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM migration_guard.events WHERE usename = '$role'");
}

# ---- the victim's own refusals: 30 events
refusals('victim', 'DELETE FROM shared.payroll', 30);
is(count_of('victim'), '30', 'the victim has 30 events in the ring');

# ---- the issue's attack: 1,100 DELETEs the attacker has no privilege for
my ($rc, $out, $err) = $node->psql('postgres', 'DELETE FROM shared.payroll', extra_params => [ '-U', 'attacker' ]);
like($err, qr/ERROR:  permission denied for table payroll/,
	"PostgreSQL's own permission error, not the guard's verdict (no row estimate)");
refusals('attacker', 'DELETE FROM shared.payroll', 1100);
is(count_of('attacker'), '0', 'a statement refused for lack of privilege records nothing');
is(count_of('victim'), '30', "and the victim's 30 events are all there");
is($node->safe_psql('postgres', q{SELECT refused FROM migration_guard.stats WHERE rule = 'dml_without_where'}),
	'30', 'nor is it counted');

# ---- 1,100 refusals the guard records, on the attacker's own table: the ring (100) fills up,
# then the attacker replaces its own events
refusals('attacker', 'DELETE FROM mine.big', 1100);
is(count_of('victim'), '30', "the victim's 30 events stay");
is(count_of('attacker'), '70', 'the attacker holds what was free (70), no more');
is( $node->safe_psql(
		'postgres', q{SELECT min(event_id) > 1000 FROM migration_guard.events WHERE usename = 'attacker'}),
	't', "and its events are its newest");

# ---- a role that holds its share (30 >= 100 / 4) replaces its own oldest: it never takes
# another role's events, however many it records
refusals('victim', 'DELETE FROM shared.payroll', 200);
is(count_of('victim'), '30', 'the victim, over its share, keeps 30 slots');
is(count_of('attacker'), '70', "and takes none of the attacker's");
is( $node->safe_psql(
		'postgres', q{SELECT max(event_id) - min(event_id) + 1, max(event_id) = (SELECT max(event_id) FROM migration_guard.events)
		                FROM migration_guard.events WHERE usename = 'victim'}),
	'30|t', 'its 30 newest, consecutive');

# ---- a fresh ring (restart) that the victim fills alone, then the attacker floods:
# the attacker takes a quarter at most
$node->restart;
refusals('victim', 'DELETE FROM shared.payroll', 200);
is(count_of('victim'), '100', 'the victim alone fills the ring (its last 100 events)');
is( $node->safe_psql(
		'postgres', q{SELECT count(DISTINCT event_id), max(event_id) - min(event_id) + 1, max(event_id)
		                FROM migration_guard.events WHERE usename = 'victim'}),
	'100|100|200', 'consecutive, the newest');
refusals('attacker', 'DELETE FROM mine.big', 1100);
is(count_of('attacker'), '25', 'the attacker takes a quarter of the ring (events_size / 4)');
is(count_of('victim'), '75', 'three quarters stay with the victim: its newest 75');
is( $node->safe_psql(
		'postgres', q{SELECT min(event_id), max(event_id) FROM migration_guard.events WHERE usename = 'victim'}),
	'126|200', "the victim's kept events are consecutive: only its oldest went");
is( $node->safe_psql(
		'postgres', q{SELECT min(event_id), max(event_id) FROM migration_guard.events WHERE usename = 'attacker'}),
	'1276|1300', "the attacker's 25 are its newest");

# ---- each role reads only its own, as before; the events view orders by id
is( $node->safe_psql('postgres', q{SELECT count(*) FROM migration_guard.events WHERE usename <> 'attacker'},
		extra_params => [ '-U', 'attacker' ]),
	'0', 'the attacker sees none of the victim\'s events');
is( $node->safe_psql(
		'postgres', q{SELECT bool_and(event_id > prev) FROM (SELECT event_id, lag(event_id, 1, 0::bigint) OVER () AS prev
		                FROM migration_guard.events) e}),
	't', 'events come out in the order they were recorded');

$node->stop;
done_testing();
