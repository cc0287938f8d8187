/**
 * The reference server: a few lines that compose Stagehand's modules and serve them over HTTP.
 * It holds no business rules; every handler calls sh-core.
 */
package sh.stagehand.server;
