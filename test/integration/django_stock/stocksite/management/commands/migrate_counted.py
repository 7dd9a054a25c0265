"""manage.py migrate_counted [app [migration]] --phase P --progress FILE

Django's migrate, telling migration_guard which app each statement comes from: before each
migration is applied or unapplied, the connection's application_name becomes "P:<app label>",
so that migration_guard.events can be counted per app, and a line "P <app> applied|unapplied
<migration>" is appended to FILE.
"""
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections


class Command(MigrateCommand):
    help = "migrate, with application_name set to PHASE:<app> for each migration (for migration_guard.events)"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--phase", default="migrate")
        parser.add_argument("--progress", required=True)

    def handle(self, *args, **options):
        self.phase = options["phase"]
        self.progress = options["progress"]
        self.db_alias = options["database"]
        return super().handle(*args, **options)

    def migration_progress_callback(self, action, migration=None, fake=False):
        if action in ("apply_start", "unapply_start"):
            # Before the migration's transaction begins, so it holds for the whole migration.
            with connections[self.db_alias].cursor() as cursor:
                cursor.execute("SELECT set_config('application_name', %s, false)",
                               ["%s:%s" % (self.phase, migration.app_label)])
        elif action in ("apply_success", "unapply_success"):
            with open(self.progress, "a") as f:
                f.write("%s %s %s %s\n" % (self.phase, migration.app_label,
                                           "applied" if action == "apply_success" else "unapplied", migration.name))
        super().migration_progress_callback(action, migration, fake)
