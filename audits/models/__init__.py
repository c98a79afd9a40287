from audits.models.trail import AuditEvent

__all__ = ["AuditEvent"]
