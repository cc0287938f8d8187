/**
 * Files in directories a build's container can write (its Odoo data directory, bind-mounted
 * read-write): read, copied, moved and deleted without ever following a link a tenant put there
 * ({@link sh.stagehand.core.files.ContainerDirectory}), and owned by the user the containers run
 * as ({@link sh.stagehand.core.files.ContainerUser}).
 */
package sh.stagehand.core.files;
