-- deactivate mail servers
UPDATE ir_mail_server
   SET active = false;

-- deactivate crons, except the auto-vacuum
UPDATE ir_cron
   SET active = false
 WHERE id NOT IN (
       SELECT res_id
         FROM ir_model_data
        WHERE model = 'ir.cron'
          AND module = 'base'
          AND name = 'autovacuum_job'
);

-- activate the "neutralized" banner
INSERT INTO ir_config_parameter (key, value)
VALUES ('database.is_neutralized', true)
    ON CONFLICT (key) DO
       UPDATE SET value = true;
