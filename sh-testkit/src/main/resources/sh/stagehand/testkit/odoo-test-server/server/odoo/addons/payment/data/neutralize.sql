-- Odoo 17's addons/payment/data/neutralize.sql: no provider stays live.
UPDATE payment_provider
   SET state = 'disabled'
 WHERE state NOT IN ('test', 'disabled');
