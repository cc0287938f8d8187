package sh.stagehand.core.odoo;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Uninstalling Odoo modules as Odoo's Apps menu does: a script for {@code odoo shell} that finds
 * the modules installed and calls {@code button_immediate_uninstall()} on them
 * (odoo/addons/base/models/ir_module.py), which takes the modules that depend on them along, runs
 * their uninstall hooks, removes their data and tables, and commits. It exits with an error, having
 * changed nothing, when one of them is not installed. Thread-safe: it holds no state.
 */
public final class AppUninstall
{
    /**
     * Modules Odoo loads into every server ({@code server_wide_modules}, base and web): its
     * {@code button_uninstall} refuses them.
     */
    public static final Set<String> SERVER_WIDE = Set.of("base", "web");

    private AppUninstall() {}

    /**
     * @param modules the modules to uninstall, each a valid name ({@link ModuleNames}): so the
     *        script holds nothing a tenant chose but names of lower-case letters, digits and '_'
     * @return the script, for {@code odoo shell}'s standard input
     */
    public static String script(List<String> modules)
    {
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("No module to uninstall");
        }
        modules.forEach(ModuleNames::requireValid);
        String names = modules.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", ", "[", "]"));
        return """
                names = %s
                modules = env['ir.module.module'].search([('name', 'in', names), ('state', 'in', ('installed', 'to upgrade'))])
                missing = sorted(set(names) - set(modules.mapped('name')))
                if missing:
                    raise SystemExit('Stagehand: not installed, nothing uninstalled: %%s' %% ', '.join(missing))
                print('Stagehand: uninstalling %%s, and what depends on them: %%s' %% (', '.join(names), ', '.join(sorted(modules.downstream_dependencies().mapped('name'))) or 'nothing'), flush=True)
                modules.button_immediate_uninstall()
                env.cr.commit()
                print('Stagehand: uninstalled %%s' %% ', '.join(names), flush=True)
                """.formatted(names);
    }
}
