/**
 * The platform's metadata in PostgreSQL: projects, branches, builds, accounts and the outbound
 * mail queue ({@link sh.stagehand.store.postgres.PostgresPlatformStore},
 * {@link sh.stagehand.store.postgres.PostgresAccountStore}), captured mail
 * ({@code mail.type=postgres}), and the platform's secrets sealed by a
 * {@link sh.stagehand.store.postgres.SecretBox}. Bound by {@link sh.stagehand.store.postgres.PostgresStoreModule}.
 */
package sh.stagehand.store.postgres;
