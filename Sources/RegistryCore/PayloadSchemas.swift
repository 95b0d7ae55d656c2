/// The versioned JSON Schemas (draft 2020-12) of every payload that leaves the clinic. Each schema
/// is a whitelist: every object forbids properties it does not name, so a field added by mistake
/// (a name, a date) fails validation before the payload can enter the outbox.
/// `Registry/schema/` holds these same documents; a test fails when they drift.
public enum PayloadSchemas {
    /// File name and text of each schema.
    public static let all: [(file: String, id: String, text: String)] = [
        ("ketareg-summary-3.schema.json", summaryID, summary),
        ("ketareg-records-3.schema.json", recordsID, records),
        ("ketareg-fhir-1.schema.json", fhirID, fhir),
    ]

    /// The names payloads give their schema, with its version. The clinic builds them
    /// (RegistryExport) and the research network's hub reads them (HubCore): both take the names
    /// and the schemas from here.
    public static let summaryID = "ketareg-summary/3"
    public static let recordsID = "ketareg-records/3"
    public static let fhirID = "ketareg-fhir/1"

    /// The `fhir` profile's Bundle: only pseudonymised Observations, no date, no Patient.
    static let fhir = #"""
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "$id": "urn:ketareg:schema:fhir:1",
      "title": "KetaReg pseudonymised FHIR R4 Observations, version 1",
      "type": "object",
      "additionalProperties": false,
      "required": ["resourceType", "type", "meta", "entry"],
      "properties": {
        "resourceType": { "const": "Bundle" },
        "type": { "const": "collection" },
        "meta": {
          "type": "object",
          "additionalProperties": false,
          "required": ["tag"],
          "properties": { "tag": { "type": "array", "items": { "$ref": "#/$defs/tag" } } }
        },
        "entry": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["resource"],
            "properties": { "resource": { "$ref": "#/$defs/observation" } }
          }
        }
      },
      "$defs": {
        "tag": {
          "type": "object",
          "additionalProperties": false,
          "required": ["system", "code"],
          "properties": {
            "system": { "enum": ["urn:ketareg:schema", "urn:ketareg:period", "urn:ketareg:generator", "urn:ketareg:k", "urn:ketareg:withheld-patients",
                                 "urn:ketareg:clinic", "urn:ketareg:audit-chain-head"] },
            "code": { "type": "string", "pattern": "^[^ ]+$" },
            "display": { "type": "string" }
          }
        },
        "coding": {
          "type": "object",
          "additionalProperties": false,
          "required": ["system", "code"],
          "properties": {
            "system": { "type": "string", "pattern": "^[a-z][a-z0-9+.-]*:[^ ]+$" },
            "code": { "type": "string", "pattern": "^[^ ](.*[^ ])?$" },
            "display": { "type": "string" }
          }
        },
        "codeable": {
          "type": "object",
          "additionalProperties": false,
          "required": ["coding"],
          "properties": { "coding": { "type": "array", "items": { "$ref": "#/$defs/coding" } } }
        },
        "quantity": {
          "type": "object",
          "additionalProperties": false,
          "required": ["value", "unit", "system", "code"],
          "properties": {
            "value": { "type": "number" },
            "unit": { "const": "{score}" },
            "system": { "const": "http://unitsofmeasure.org" },
            "code": { "const": "{score}" }
          }
        },
        "observation": {
          "type": "object",
          "additionalProperties": false,
          "required": ["resourceType", "id", "extension", "status", "category", "code", "subject", "valueQuantity"],
          "properties": {
            "resourceType": { "const": "Observation" },
            "id": { "type": "string", "pattern": "^obs-[0-9]+$" },
            "extension": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["url"],
                "properties": {
                  "url": { "enum": ["urn:ketareg:fhir:timepoint", "urn:ketareg:fhir:week-from-first-infusion"] },
                  "valueCode": { "enum": ["baseline", "post-infusion", "follow-up"] },
                  "valueInteger": { "type": "integer" }
                }
              }
            },
            "status": { "const": "final" },
            "category": { "type": "array", "items": { "$ref": "#/$defs/codeable" } },
            "code": { "$ref": "#/$defs/codeable" },
            "subject": {
              "type": "object",
              "additionalProperties": false,
              "required": ["identifier"],
              "properties": {
                "identifier": {
                  "type": "object",
                  "additionalProperties": false,
                  "required": ["system", "value"],
                  "properties": {
                    "system": { "const": "urn:ketareg:pseudonym" },
                    "value": { "type": "string", "pattern": "^[0-9a-f]{32}$" }
                  }
                }
              }
            },
            "valueQuantity": { "$ref": "#/$defs/quantity" },
            "interpretation": { "type": "array", "items": { "$ref": "#/$defs/codeable" } },
            "component": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["code", "valueQuantity"],
                "properties": { "code": { "$ref": "#/$defs/codeable" }, "valueQuantity": { "$ref": "#/$defs/quantity" } }
              }
            }
          }
        }
      }
    }
    """#

    public static func text(for id: String) -> String? { all.first { $0.id == id }?.text }

    static let summary = #"""
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "$id": "urn:ketareg:schema:summary:3",
      "title": "KetaReg anonymised summary, version 3",
      "description": "Aggregate tables per condition, scale and point of the course, judging each patient's induction once it is over. Every published count is rounded to the nearest multiple of roundingBase, so counts need not add up; a count is suppressed (absent), with whatever in its row could reveal it, unless every count its rounded value could stand for is at least minimumCellSize; rates are worked out from the rounded counts; means, medians and quartiles have one decimal. A condition's counts, a timepoint or an outcome row gets new values only when its patients differ by at least minimumCellSize from every set of patients it was published for before; otherwise the earlier values are repeated and computedIn names the period that computed them. auditChainHead is the clinic's audit-chain head when the payload was built: a witness of its history that reveals nothing.",
      "type": "object",
      "additionalProperties": false,
      "required": ["schema", "generator", "period", "minimumCellSize", "roundingBase", "conditions"],
      "properties": {
        "schema": { "const": "ketareg-summary/3" },
        "generator": { "type": "string", "minLength": 1 },
        "auditChainHead": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
        "clinic": { "type": "string" },
        "period": { "type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$" },
        "minimumCellSize": { "type": "integer", "minimum": 1 },
        "roundingBase": { "type": "integer", "minimum": 1 },
        "conditions": { "type": "array", "items": { "$ref": "#/$defs/condition" } }
      },
      "$defs": {
        "id": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" },
        "period": { "type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$" },
        "count": { "type": "integer", "minimum": 0 },
        "rate": { "type": "number", "minimum": 0, "maximum": 1 },
        "condition": {
          "type": "object",
          "additionalProperties": false,
          "required": ["condition", "suppressed", "scales", "outcomes", "adverseEvents", "coInterventions", "suppressedCells", "computedIn"],
          "properties": {
            "condition": { "$ref": "#/$defs/id" },
            "patients": { "$ref": "#/$defs/count" },
            "suppressed": { "type": "boolean" },
            "treatment": { "$ref": "#/$defs/treatment" },
            "scales": { "type": "array", "items": { "$ref": "#/$defs/scale" } },
            "outcomes": { "type": "array", "items": { "$ref": "#/$defs/outcome" } },
            "adverseEvents": { "type": "array", "items": { "$ref": "#/$defs/adverseEvent" } },
            "coInterventions": { "type": "array", "items": { "$ref": "#/$defs/coIntervention" } },
            "suppressedCells": { "$ref": "#/$defs/count" },
            "computedIn": { "$ref": "#/$defs/period" },
            "codes": { "$ref": "#/$defs/codes" }
          }
        },
        "codes": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["system", "code"],
            "properties": {
              "system": { "type": "string", "pattern": "^[a-z][a-z0-9+.-]*:[^ ]+$" },
              "code": { "type": "string", "pattern": "^[^ ](.*[^ ])?$" },
              "display": { "type": "string" }
            }
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
            "timepoints": { "type": "array", "items": { "$ref": "#/$defs/timepoint" } },
            "codes": { "$ref": "#/$defs/codes" }
          }
        },
        "timepoint": {
          "type": "object",
          "additionalProperties": false,
          "required": ["timepoint", "suppressed", "computedIn"],
          "properties": {
            "timepoint": { "$ref": "#/$defs/id" },
            "patients": { "$ref": "#/$defs/count" },
            "mean": { "type": "number" },
            "median": { "type": "number" },
            "q1": { "type": "number" },
            "q3": { "type": "number" },
            "meanChangeFromBaseline": { "type": "number" },
            "suppressed": { "type": "boolean" },
            "computedIn": { "$ref": "#/$defs/period" }
          }
        },
        "outcome": {
          "type": "object",
          "additionalProperties": false,
          "required": ["outcome", "scale", "rule", "window", "suppressed", "computedIn"],
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
            "suppressed": { "type": "boolean" },
            "computedIn": { "$ref": "#/$defs/period" }
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
      "$id": "urn:ketareg:schema:records:3",
      "title": "KetaReg pseudonymised records, version 3",
      "description": "One row per patient (age band, sex, conditions), per assessment, per infusion (condition, route, dose or rate band, length band) and per observation during an infusion, with keyed-hash pseudonyms and weeks from the first infusion. Everything a recipient can join by pseudonym, apart from scores, severity bands and readings, is shared by at least k released patients: each patient is released at the first step named in generalisation (in order) at which at least k of the patients not yet released share it, and withheld when none does. Dose and rate bands include their lower bound and exclude their upper one (the last includes it).",
      "type": "object",
      "additionalProperties": false,
      "required": ["schema", "generator", "period", "k", "patients", "assessments", "infusions", "observations", "generalisation", "generalisedPatients", "withheldPatients", "withheldRows"],
      "properties": {
        "schema": { "const": "ketareg-records/3" },
        "generator": { "type": "string", "minLength": 1 },
        "auditChainHead": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
        "clinic": { "type": "string" },
        "period": { "type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$" },
        "k": { "type": "integer", "minimum": 1 },
        "patients": { "type": "array", "items": { "$ref": "#/$defs/patient" } },
        "assessments": { "type": "array", "items": { "$ref": "#/$defs/assessment" } },
        "infusions": { "type": "array", "items": { "$ref": "#/$defs/infusion" } },
        "observations": { "type": "array", "items": { "$ref": "#/$defs/observation" } },
        "generalisation": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["step", "patients"],
            "properties": {
              "step": { "$ref": "#/$defs/step" },
              "patients": { "$ref": "#/$defs/count" }
            }
          }
        },
        "generalisedPatients": { "$ref": "#/$defs/count" },
        "withheldPatients": { "$ref": "#/$defs/count" },
        "withheldRows": { "$ref": "#/$defs/count" },
        "codes": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["kind", "id", "codes"],
            "properties": {
              "kind": { "enum": ["condition", "scale"] },
              "id": { "$ref": "#/$defs/id" },
              "codes": {
                "type": "array",
                "items": {
                  "type": "object",
                  "additionalProperties": false,
                  "required": ["system", "code"],
                  "properties": {
                    "system": { "type": "string", "pattern": "^[a-z][a-z0-9+.-]*:[^ ]+$" },
                    "code": { "type": "string", "pattern": "^[^ ](.*[^ ])?$" },
                    "display": { "type": "string" }
                  }
                }
              }
            }
          }
        }
      },
      "$defs": {
        "id": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" },
        "count": { "type": "integer", "minimum": 0 },
        "pseudonym": { "type": "string", "pattern": "^[0-9a-f]{32}$" },
        "step": { "enum": ["as-recorded", "age-broadened", "timing-removed", "age-broadened-timing-removed", "age-broadened-sex-removed", "age-broadened-sex-timing-removed", "treatment-withheld"] },
        "week": { "type": "integer" },
        "patient": {
          "type": "object",
          "additionalProperties": false,
          "required": ["patient", "ageBand", "sex", "conditions", "detail"],
          "properties": {
            "patient": { "$ref": "#/$defs/pseudonym" },
            "ageBand": { "enum": ["under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85-89", "90-and-over", "18-44", "45-64", "65-and-over", "unknown"] },
            "sex": { "enum": ["female", "male", "other", "unknown", "not-stated"] },
            "conditions": { "type": "array", "items": { "$ref": "#/$defs/id" } },
            "detail": { "$ref": "#/$defs/step" }
          }
        },
        "assessment": {
          "type": "object",
          "additionalProperties": false,
          "required": ["patient", "scale", "timepoint", "score"],
          "properties": {
            "patient": { "$ref": "#/$defs/pseudonym" },
            "scale": { "$ref": "#/$defs/id" },
            "timepoint": { "enum": ["baseline", "post-infusion", "follow-up"] },
            "week": { "$ref": "#/$defs/week" },
            "score": { "type": "number" },
            "band": { "$ref": "#/$defs/id" },
            "subscores": { "type": "object", "additionalProperties": { "type": "number" } }
          }
        },
        "infusion": {
          "type": "object",
          "additionalProperties": false,
          "required": ["patient", "condition", "minutes"],
          "properties": {
            "patient": { "$ref": "#/$defs/pseudonym" },
            "condition": { "$ref": "#/$defs/id" },
            "week": { "$ref": "#/$defs/week" },
            "minutes": { "enum": ["1-40", "41-60", "61-120", "121-1440", "1441-10080"] },
            "doseMgPerKg": { "enum": ["0.05-0.25", "0.25-0.5", "0.5-0.75", "0.75-1", "1-2", "2-5"] },
            "rateMgPerKgPerHour": { "enum": ["0.05-0.25", "0.25-0.5", "0.5-1", "1-2"] },
            "route": { "enum": ["iv", "im", "intranasal", "oral"] }
          }
        },
        "observation": {
          "type": "object",
          "additionalProperties": false,
          "required": ["patient", "sedation", "dissociation", "respiratoryDepression"],
          "properties": {
            "patient": { "$ref": "#/$defs/pseudonym" },
            "week": { "$ref": "#/$defs/week" },
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
