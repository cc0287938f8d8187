/**
 * The HTTP API: thin handlers over sh-core's services, JSON in and out.
 */
package sh.stagehand.server.http;
