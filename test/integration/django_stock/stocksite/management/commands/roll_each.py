"""manage.py roll_each APP... --progress FILE

For each app given (in that order) that has more than one migration: migrate it back to its
first migration, then forward again, with migrate_counted (phases "back" and "forward"). A
migration that Django cannot run (irreversible, or the data does not fit) is noted in FILE as
"error <phase> <app> <last line of the error>", and the next app goes on.
"""
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.loader import MigrationLoader


class Command(BaseCommand):
    help = "roll each app back to its first migration and forward again"

    def add_arguments(self, parser):
        parser.add_argument("apps", nargs="+")
        parser.add_argument("--progress", required=True)

    def handle(self, *args, **options):
        progress = options["progress"]
        for app in options["apps"]:
            graph = MigrationLoader(connection).graph
            nodes = [n for n in graph.nodes if n[0] == app]
            if len(nodes) < 2:
                continue
            first = graph.root_nodes(app)[0][1]
            for phase, target in (("back", [app, first]), ("forward", [app])):
                try:
                    call_command("migrate_counted", *target, phase=phase, progress=progress,
                                 interactive=False, verbosity=1, stdout=self.stdout)
                except Exception as e:  # Django's own refusal to go on: note it, next app
                    last = [line for line in str(e).splitlines() if line.strip()][-1:] or [""]
                    with open(progress, "a") as f:
                        f.write("error %s %s %s: %s\n" % (phase, app, type(e).__name__, last[0]))
