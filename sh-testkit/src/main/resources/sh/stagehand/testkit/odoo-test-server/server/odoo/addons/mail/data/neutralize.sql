-- Odoo 17's addons/mail/data/neutralize.sql, the same statements.
-- mail templates lose their mail server
UPDATE mail_template
   SET mail_server_id = NULL;

-- incoming mail servers off
UPDATE fetchmail_server
   SET active = false;

-- web push keys and subscriptions removed
DELETE FROM ir_config_parameter
 WHERE key IN ('mail.web_push_vapid_private_key', 'mail.web_push_vapid_public_key', 'mail.sfu_server_key');
TRUNCATE mail_notification_web_push;
TRUNCATE mail_partner_device CASCADE;
