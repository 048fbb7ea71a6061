-- LP cases whose next SP2HP to the reporter is past due.
SELECT r.id AS ref_id, r.lp_number AS label, r.jurisdiction_id, r.settled_at AS opened_at,
       r.next_sp2hp_due_at AS due_at
FROM spkt_reports r
WHERE r.lp_number IS NOT NULL AND r.next_sp2hp_due_at < :now
