"""`odoo [COMMAND] [options]`: the entry point, as Odoo's odoo/cli/command.py.

Without a command (or with options first) it is `server`; `shell`, `neutralize` and `db` are
the other commands. An unknown command exits with "Unknown command 'x'", as Odoo does.
"""

import sys

from . import db, neutralize, server, shell

commands = {
    'server': server.run,
    'shell': shell.run,
    'neutralize': neutralize.run,
    'db': db.run,
}


def main():
    args = sys.argv[1:]
    command = 'server'
    if args and not args[0].startswith('-'):
        command, args = args[0], args[1:]
    if command == 'help':
        print('Odoo-compatible TEST server (Stagehand test equipment), not Odoo.\n\n'
              'Usage: odoo [COMMAND] [options]\n\nCommands:\n'
              '    server       run the server (the default)\n'
              '    shell        run Python read from stdin (or interactively) with `env` in scope\n'
              '    neutralize   neutralize the database given by -d\n'
              '    db           database manager: load, dump, duplicate, rename, drop\n')
        sys.exit(0)
    if command not in commands:
        sys.exit('Unknown command %r' % (command,))
    sys.exit(commands[command](args, prog='%s %s' % ('odoo', command) if command != 'server' else 'odoo-bin'))
