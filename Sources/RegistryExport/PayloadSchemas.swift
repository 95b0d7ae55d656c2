/// The versioned JSON Schemas (draft 2020-12) of every payload that leaves the clinic. Each schema
/// is a whitelist: every object forbids properties it does not name, so a field added by mistake
/// (a name, a date) fails validation before the payload can enter the outbox.
/// `Registry/schema/` holds these same documents; a test fails when they drift.
public enum PayloadSchemas {
    /// File name and text of each schema.
    public static let all: [(file: String, id: String, text: String)] = [
        ("ketareg-summary-2.schema.json", SummaryPayload.schemaID, summary),
        ("ketareg-records-2.schema.json", RecordsPayload.schemaID, records),
    ]

    public static func text(for id: String) -> String? { all.first { $0.id == id }?.text }

    static let summary = #"""
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "$id": "urn:ketareg:schema:summary:2",
      "title": "KetaReg anonymised summary, version 2",
      "description": "Aggregate tables per condition, scale and point of the course, judging each patient's induction once it is over. Counts from 1 to minimumCellSize - 1 are suppressed (absent), with whatever could reveal them. auditChainHead is the clinic's audit-chain head when the payload was built: a witness of its history that reveals nothing.",
      "type": "object",
      "additionalProperties": false,
      "required": ["schema", "generator", "period", "minimumCellSize", "conditions"],
      "properties": {
        "schema": { "const": "ketareg-summary/2" },
        "generator": { "type": "string", "minLength": 1 },
        "auditChainHead": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
        "clinic": { "type": "string" },
        "period": { "type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$" },
        "minimumCellSize": { "type": "integer", "minimum": 1 },
        "conditions": { "type": "array", "items": { "$ref": "#/$defs/condition" } }
      },
      "$defs": {
        "id": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" },
        "count": { "type": "integer", "minimum": 0 },
        "rate": { "type": "number", "minimum": 0, "maximum": 1 },
        "condition": {
          "type": "object",
          "additionalProperties": false,
          "required": ["condition", "suppressed", "scales", "outcomes", "adverseEvents", "coInterventions", "suppressedCells"],
          "properties": {
            "condition": { "$ref": "#/$defs/id" },
            "patients": { "$ref": "#/$defs/count" },
            "suppressed": { "type": "boolean" },
            "treatment": { "$ref": "#/$defs/treatment" },
            "scales": { "type": "array", "items": { "$ref": "#/$defs/scale" } },
            "outcomes": { "type": "array", "items": { "$ref": "#/$defs/outcome" } },
            "adverseEvents": { "type": "array", "items": { "$ref": "#/$defs/adverseEvent" } },
            "coInterventions": { "type": "array", "items": { "$ref": "#/$defs/coIntervention" } },
            "suppressedCells": { "$ref": "#/$defs/count" }
          }
        },
        "treatment": {
          "type": "object",
          "additionalProperties": false,
          "required": ["infusions", "medianInfusionsPerPatient", "routes", "routesSuppressed"],
          "properties": {
            "infusions": { "$ref": "#/$defs/count" },
            "medianInfusionsPerPatient": { "type": "number", "minimum": 0 },
            "medianDoseMgPerKg": { "type": "number", "minimum": 0.05, "maximum": 5 },
            "routes": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["route", "patients"],
                "properties": {
                  "route": { "enum": ["iv", "im", "intranasal", "oral"] },
                  "patients": { "$ref": "#/$defs/count" }
                }
              }
            },
            "routesSuppressed": { "type": "boolean" }
          }
        },
        "scale": {
          "type": "object",
          "additionalProperties": false,
          "required": ["scale", "timepoints"],
          "properties": {
            "scale": { "$ref": "#/$defs/id" },
            "timepoints": { "type": "array", "items": { "$ref": "#/$defs/timepoint" } }
          }
        },
        "timepoint": {
          "type": "object",
          "additionalProperties": false,
          "required": ["timepoint", "suppressed"],
          "properties": {
            "timepoint": { "$ref": "#/$defs/id" },
            "patients": { "$ref": "#/$defs/count" },
            "mean": { "type": "number" },
            "median": { "type": "number" },
            "q1": { "type": "number" },
            "q3": { "type": "number" },
            "meanChangeFromBaseline": { "type": "number" },
            "suppressed": { "type": "boolean" }
          }
        },
        "outcome": {
          "type": "object",
          "additionalProperties": false,
          "required": ["outcome", "scale", "rule", "window", "suppressed"],
          "properties": {
            "outcome": { "$ref": "#/$defs/id" },
            "scale": { "$ref": "#/$defs/id" },
            "subscore": { "type": "string" },
            "rule": { "type": "string" },
            "window": { "enum": ["immediate", "sustained"] },
            "visit": { "$ref": "#/$defs/id" },
            "eligible": { "$ref": "#/$defs/count" },
            "assessed": { "$ref": "#/$defs/count" },
            "missing": { "$ref": "#/$defs/count" },
            "met": { "$ref": "#/$defs/count" },
            "rate": { "$ref": "#/$defs/rate" },
            "rateMissingAsNonResponse": { "$ref": "#/$defs/rate" },
            "suppressed": { "type": "boolean" }
          }
        },
        "adverseEvent": {
          "type": "object",
          "additionalProperties": false,
          "required": ["term", "grade", "suppressed"],
          "properties": {
            "term": { "$ref": "#/$defs/id" },
            "grade": { "enum": ["mild", "moderate", "severe"] },
            "patients": { "$ref": "#/$defs/count" },
            "events": { "$ref": "#/$defs/count" },
            "serious": { "$ref": "#/$defs/count" },
            "suppressed": { "type": "boolean" }
          }
        },
        "coIntervention": {
          "type": "object",
          "additionalProperties": false,
          "required": ["kind", "suppressed"],
          "properties": {
            "kind": { "$ref": "#/$defs/id" },
            "patients": { "$ref": "#/$defs/count" },
            "suppressed": { "type": "boolean" }
          }
        }
      }
    }
    """#

    static let records = #"""
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "$id": "urn:ketareg:schema:records:2",
      "title": "KetaReg pseudonymised records, version 2",
      "description": "One row per patient and assessment, per infusion (the condition it was for, its dose or its rate) and per observation during an infusion, with keyed-hash pseudonyms, days from the first infusion and hours from an infusion's start. Quasi-identifier groups hold at least k patients.",
      "type": "object",
      "additionalProperties": false,
      "required": ["schema", "generator", "period", "k", "assessments", "infusions", "observations", "generalisedPatients", "withheldPatients", "withheldRows"],
      "properties": {
        "schema": { "const": "ketareg-records/2" },
        "generator": { "type": "string", "minLength": 1 },
        "auditChainHead": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
        "clinic": { "type": "string" },
        "period": { "type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$" },
        "k": { "type": "integer", "minimum": 1 },
        "assessments": { "type": "array", "items": { "$ref": "#/$defs/assessment" } },
        "infusions": { "type": "array", "items": { "$ref": "#/$defs/infusion" } },
        "observations": { "type": "array", "items": { "$ref": "#/$defs/observation" } },
        "generalisedPatients": { "$ref": "#/$defs/count" },
        "withheldPatients": { "$ref": "#/$defs/count" },
        "withheldRows": { "$ref": "#/$defs/count" }
      },
      "$defs": {
        "id": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" },
        "count": { "type": "integer", "minimum": 0 },
        "pseudonym": { "type": "string", "pattern": "^[0-9a-f]{32}$" },
        "assessment": {
          "type": "object",
          "additionalProperties": false,
          "required": ["patient", "ageBand", "sex", "conditions", "scale", "timepoint", "day", "score"],
          "properties": {
            "patient": { "$ref": "#/$defs/pseudonym" },
            "ageBand": { "enum": ["under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85-89", "90-and-over", "18-44", "45-64", "65-and-over", "unknown"] },
            "sex": { "enum": ["female", "male", "other", "unknown", "not-stated"] },
            "conditions": { "type": "array", "items": { "$ref": "#/$defs/id" } },
            "scale": { "$ref": "#/$defs/id" },
            "timepoint": { "enum": ["baseline", "post-infusion", "follow-up"] },
            "day": { "type": "integer" },
            "score": { "type": "number" },
            "band": { "$ref": "#/$defs/id" },
            "subscores": { "type": "object", "additionalProperties": { "type": "number" } }
          }
        },
        "infusion": {
          "type": "object",
          "additionalProperties": false,
          "required": ["patient", "condition", "day", "minutes"],
          "properties": {
            "patient": { "$ref": "#/$defs/pseudonym" },
            "condition": { "$ref": "#/$defs/id" },
            "day": { "type": "integer", "minimum": 0 },
            "minutes": { "type": "integer", "minimum": 1 },
            "doseMgPerKg": { "type": "number", "minimum": 0.05, "maximum": 5 },
            "rateMgPerKgPerHour": { "type": "number", "minimum": 0.05, "maximum": 2 },
            "route": { "enum": ["iv", "im", "intranasal", "oral"] }
          }
        },
        "observation": {
          "type": "object",
          "additionalProperties": false,
          "required": ["patient", "day", "hoursFromStart", "sedation", "dissociation", "respiratoryDepression"],
          "properties": {
            "patient": { "$ref": "#/$defs/pseudonym" },
            "day": { "type": "integer", "minimum": 0 },
            "hoursFromStart": { "type": "integer", "minimum": 0, "maximum": 200 },
            "systolic": { "type": "integer", "minimum": 50, "maximum": 300 },
            "diastolic": { "type": "integer", "minimum": 20, "maximum": 200 },
            "heartRate": { "type": "integer", "minimum": 20, "maximum": 250 },
            "spo2": { "type": "integer", "minimum": 50, "maximum": 100 },
            "sedation": { "type": "boolean" },
            "dissociation": { "type": "boolean" },
            "respiratoryDepression": { "type": "boolean" }
          }
        }
      }
    }
    """#
}
