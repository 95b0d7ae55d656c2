import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

/// FHIR R4 resources built from the catalog and the registry: a Questionnaire per scale, and a
/// patient's assessments as QuestionnaireResponse and Observation resources in a collection
/// Bundle, for the clinic's own electronic record.
///
/// Codes come from the modules (LOINC for scores, forms and items, SNOMED CT and ICD-10 for
/// conditions); where a module has none, KetaReg's own systems name the thing (`urn:ketareg:scale`
/// and the like), so that every resource is valid and nothing is guessed. Item texts are the
/// modules' neutral labels: the published wording of a licensed instrument is never shipped.
public enum FHIRResources {
    /// The code system of KetaReg's scale ids, coded beside a scale's LOINC codes in an
    /// Observation's `code`.
    public static let scaleSystem = "urn:ketareg:scale"
    /// The code system of subscores, coded `SCALE.SUBSCORE` in an Observation's `component`.
    public static let subscoreSystem = "urn:ketareg:subscore"
    /// The code system of KetaReg's condition ids, coded beside SNOMED CT and ICD-10 in a
    /// Condition's `code`.
    public static let conditionSystem = "urn:ketareg:condition"
    /// The code system for safety-flag ids. The resources built here do not use it: flags travel as
    /// an Observation's notes, in words.
    public static let flagSystem = "urn:ketareg:safety-flag"

    /// The canonical URL of a scale's Questionnaire.
    public static func questionnaireURL(_ scale: any AssessmentScale) -> String {
        "urn:ketareg:questionnaire:\(scale.id)"
    }

    static func answerSystem(_ scale: any AssessmentScale) -> String { "urn:ketareg:answers:\(scale.id)" }

    static func coding(_ code: StandardCode) -> JSONValue {
        var coding: [String: JSONValue] = ["system": .string(code.system), "code": .string(code.code)]
        if let display = code.display { coding["display"] = .string(display) }
        return .object(coding)
    }

    /// A FHIR `name`: letters and digits from the id, starting with a capital.
    static func computableName(_ id: String) -> String {
        "KetaReg" + id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The Questionnaire for a scale: its items in order (integers with their range, or choices
    /// with each option's score as its ordinal value), the codes of the form and its items, the
    /// licence as its copyright.
    public static func questionnaire(_ scale: any AssessmentScale) -> JSONValue {
        var resource: [String: JSONValue] = [
            "resourceType": "Questionnaire",
            "id": .string(scale.id),
            "url": .string(questionnaireURL(scale)),
            "version": .string(scale.version),
            "name": .string(computableName(scale.id)),
            "title": .string(scale.name),
            "status": "active",
            "subjectType": ["Patient"],
            "description": .string(scale.scoringDescription),
            "copyright": .string(
                "Licence: \(scale.licence.status.rawValue). \(scale.licence.note)"
                    + (scale.licence.mayShipWording ? "" : " Item texts are neutral labels, not the published wording.")
            ),
        ]
        if !scale.formCodes.isEmpty { resource["code"] = .array(scale.formCodes.map(coding)) }
        resource["item"] = .array(
            scale.items.enumerated().map { position, item in
                var entry: [String: JSONValue] = [
                    "linkId": .string(item.id), "prefix": .string("\(position + 1)."), "text": .string(item.label),
                ]
                if !item.codes.isEmpty { entry["code"] = .array(item.codes.map(coding)) }
                switch item.response {
                case .number(let range):
                    entry["type"] = "integer"
                    entry["extension"] = [
                        [
                            "url": "http://hl7.org/fhir/StructureDefinition/minValue",
                            "valueInteger": .number(Double(range.lowerBound)),
                        ],
                        [
                            "url": "http://hl7.org/fhir/StructureDefinition/maxValue",
                            "valueInteger": .number(Double(range.upperBound)),
                        ],
                    ]
                case .options(let options):
                    entry["type"] = "choice"
                    entry["answerOption"] = .array(
                        options.map { option in
                            [
                                "valueCoding": [
                                    "system": .string(answerSystem(scale)), "code": .string(option.label),
                                    "display": .string(option.label),
                                    "extension": [
                                        [
                                            "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue",
                                            "valueDecimal": .number(Double(option.value)),
                                        ]
                                    ],
                                ]
                            ]
                        })
                }
                if !item.isScored { entry["text"] = .string(item.label + " (recorded, not scored)") }
                return .object(entry)
            })
        return .object(resource)
    }

    static func answer(_ item: ScaleItem, raw: Int, scale: any AssessmentScale) -> JSONValue {
        switch item.response {
        case .number: return ["valueInteger": .number(Double(raw))]
        case .options(let options):
            return [
                "valueCoding": [
                    "system": .string(answerSystem(scale)), "code": .string(options[raw].label),
                    "display": .string(options[raw].label),
                ]
            ]
        }
    }

    static func quantity(_ value: Double) -> JSONValue {
        ["value": .number(value), "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}"]
    }

    /// One assessment as a QuestionnaireResponse (the answers) and an Observation (the score, its
    /// band, its subscores and flags), both about `subject`.
    public static func assessmentResources(_ assessment: AssessmentView, scale: any AssessmentScale, subject: String)
        -> [JSONValue]
    {
        let responseID = "qr-\(assessment.id)"
        let response: JSONValue = .object([
            "resourceType": "QuestionnaireResponse",
            "id": .string(responseID),
            "questionnaire": .string(questionnaireURL(scale) + "|" + assessment.scaleVersion),
            "status": "completed",
            "subject": ["reference": .string(subject)],
            "authored": .string(assessment.on),
            "item": .array(
                scale.items.indices.compactMap { index -> JSONValue? in
                    guard index < assessment.answers.count, let raw = assessment.answers[index] else { return nil }
                    let item = scale.items[index]
                    return [
                        "linkId": .string(item.id), "text": .string(item.label),
                        "answer": [answer(item, raw: raw, scale: scale)],
                    ]
                }),
        ])
        var observation: [String: JSONValue] = [
            "resourceType": "Observation",
            "id": .string("obs-\(assessment.id)"),
            "status": "final",
            "category": [
                [
                    "coding": [
                        [
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey",
                            "display": "Survey",
                        ]
                    ]
                ]
            ],
            "code": [
                "coding": .array(
                    scale.codes.map(coding) + [
                        coding(StandardCode(system: scaleSystem, code: scale.id, display: scale.name))
                    ]),
                "text": .string(scale.name),
            ],
            "subject": ["reference": .string(subject)],
            "effectiveDateTime": .string(assessment.on),
            "valueQuantity": quantity(assessment.score),
            "derivedFrom": [["reference": .string("QuestionnaireResponse/\(responseID)")]],
        ]
        if let bandID = assessment.band, let band = scale.bands.first(where: { $0.id == bandID }) {
            observation["interpretation"] = [["coding": .array(band.codes.map(coding)), "text": .string(band.label)]]
        }
        if let subscores = assessment.subscores, !subscores.isEmpty {
            observation["component"] = .array(
                scale.subscores.compactMap { definition -> JSONValue? in
                    guard let value = subscores[definition.id] else { return nil }
                    return [
                        "code": [
                            "coding": [
                                ["system": .string(subscoreSystem), "code": .string("\(scale.id).\(definition.id)")]
                            ],
                            "text": .string("\(scale.name): \(definition.id)"),
                        ],
                        "valueQuantity": quantity(value),
                    ]
                })
        }
        if !assessment.flags.isEmpty {
            observation["note"] = .array(
                assessment.flags.map { ["text": .string("Safety flag raised for clinician review: \($0)")] })
        }
        return [response, .object(observation)]
    }

    /// A patient's record for the clinic's own EHR: the Patient (identity and contact details),
    /// their conditions, and every assessment not entered in error. Identifiable: it never leaves
    /// the clinic through an export.
    public static func patientBundle(_ page: PatientPage, catalog: ConditionCatalog, timestamp: String) -> JSONValue {
        let subject = "Patient/\(page.id)"
        var patient: [String: JSONValue] = [
            "resourceType": "Patient",
            "id": .string(page.id),
            "identifier": [
                [
                    "type": [
                        "coding": [
                            [
                                "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR",
                                "display": "Medical record number",
                            ]
                        ]
                    ],
                    "value": .string(page.mrn),
                ]
            ],
            "name": [["family": .string(page.familyName), "given": [.string(page.givenName)]]],
            "birthDate": .string(page.birthDate),
            "gender": .string(["female": "female", "male": "male", "other": "other"][page.sex] ?? "unknown"),
        ]
        var telecom: [JSONValue] = []
        if let phone = page.phone { telecom.append(["system": "phone", "value": .string(phone)]) }
        if let email = page.email { telecom.append(["system": "email", "value": .string(email)]) }
        if !telecom.isEmpty { patient["telecom"] = .array(telecom) }
        if let address = page.address { patient["address"] = [["text": .string(address)]] }
        var entries: [JSONValue] = [.object(patient)]
        for conditionID in page.conditions {
            guard let condition = catalog.condition(conditionID) else { continue }
            let ended = page.endedConditions[conditionID]
            var resource: [String: JSONValue] = [
                "resourceType": "Condition",
                "id": .string("cond-\(page.id)-\(conditionID)"),
                "clinicalStatus": [
                    "coding": [
                        [
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": .string(ended == nil ? "active" : "inactive"),
                        ]
                    ]
                ],
                "code": [
                    "coding": .array(
                        condition.codes.map(coding) + [
                            coding(StandardCode(system: conditionSystem, code: condition.id, display: condition.name))
                        ]),
                    "text": .string(condition.name),
                ],
                "subject": ["reference": .string(subject)],
                "recordedDate": .string(page.enrolledOn),
            ]
            if let ended { resource["abatementDateTime"] = .string(ended) }
            entries.append(.object(resource))
        }
        for infusion in page.infusions where !infusion.enteredInError {
            entries.append(medicationAdministration(infusion, subject: subject))
        }
        for assessment in page.assessments where !assessment.enteredInError {
            guard let scale = catalog.scale(assessment.scale) else { continue }
            entries += assessmentResources(assessment, scale: scale, subject: subject)
        }
        return .object([
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": .string(timestamp),
            "entry": .array(entries.map { ["resource": $0] }),
        ])
    }
}

/// The `fhir` export profile: the records profile's k-anonymous release, sent as a FHIR R4
/// collection Bundle of pseudonymised Observations. Each assessment the records profile would
/// release becomes an Observation whose subject is the endpoint's pseudonym (an identifier, no
/// Patient resource), with no date: the week from the patient's first infusion and the timepoint
/// travel as extensions, exactly as generalised for k. Infusions and the patients table are not
/// sent. The Bundle's meta tags say the schema, period, generator, k and the audit-chain head.
public enum FHIRExport {
    /// `ketareg-fhir/1`: the schema the Bundle follows, sent as its `urn:ketareg:schema` tag.
    public static let schemaID = PayloadSchemas.fhirID
    /// The identifier system of each Observation's subject, whose value is the patient's pseudonym
    /// at the endpoint.
    public static let pseudonymSystem = "urn:ketareg:pseudonym"
    /// The extension giving an Observation's timepoint (`baseline`, `post-infusion` or `follow-up`)
    /// as `valueCode`.
    public static let timepointExtension = "urn:ketareg:fhir:timepoint"
    /// The extension giving the week from the patient's first infusion as `valueInteger`; left out
    /// when timing was removed.
    public static let weekExtension = "urn:ketareg:fhir:week-from-first-infusion"

    static func tag(_ system: String, _ code: String, display: String? = nil) -> JSONValue {
        var tag: [String: JSONValue] = ["system": .string("urn:ketareg:" + system), "code": .string(code)]
        if let display { tag["display"] = .string(display) }
        return .object(tag)
    }

    /// The Bundle for a records release; `auditChainHead` is added as a tag when given (the
    /// content hash is taken without it).
    public static func bundle(_ records: RecordsPayload, catalog: ConditionCatalog, auditChainHead: String?)
        -> JSONValue
    {
        var tags: [JSONValue] = [
            tag("schema", schemaID), tag("period", records.period),
            tag("generator", "generator", display: records.generator),
            tag("k", String(records.k)), tag("withheld-patients", String(records.withheldPatients)),
        ]
        if let clinic = records.clinic { tags.append(tag("clinic", "clinic", display: clinic)) }
        if let auditChainHead { tags.append(tag("audit-chain-head", auditChainHead)) }
        let observations = records.assessments.enumerated().map { index, record -> JSONValue in
            let scale = catalog.scale(record.scale)
            var extensions: [JSONValue] = [
                ["url": .string(timepointExtension), "valueCode": .string(record.timepoint)]
            ]
            if let week = record.week {
                extensions.append(["url": .string(weekExtension), "valueInteger": .number(Double(week))])
            }
            var observation: [String: JSONValue] = [
                "resourceType": "Observation",
                "id": .string("obs-\(index + 1)"),
                "extension": .array(extensions),
                "status": "final",
                "category": [
                    [
                        "coding": [
                            ["system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"]
                        ]
                    ]
                ],
                "code": [
                    "coding": .array(
                        (scale?.codes ?? []).map(FHIRResources.coding)
                            + [
                                FHIRResources.coding(
                                    StandardCode(
                                        system: FHIRResources.scaleSystem, code: record.scale, display: scale?.name))
                            ])
                ],
                "subject": ["identifier": ["system": .string(pseudonymSystem), "value": .string(record.patient)]],
                "valueQuantity": FHIRResources.quantity(record.score),
            ]
            if let bandID = record.band, let band = scale?.bands.first(where: { $0.id == bandID }) {
                observation["interpretation"] = [
                    [
                        "coding": .array(
                            band.codes.map(FHIRResources.coding) + [
                                ["system": .string("urn:ketareg:band:\(record.scale)"), "code": .string(band.id)]
                            ])
                    ]
                ]
            }
            if let subscores = record.subscores, !subscores.isEmpty {
                observation["component"] = .array(
                    subscores.keys.sorted().map { name in
                        [
                            "code": [
                                "coding": [
                                    [
                                        "system": .string(FHIRResources.subscoreSystem),
                                        "code": .string("\(record.scale).\(name)"),
                                    ]
                                ]
                            ],
                            "valueQuantity": FHIRResources.quantity(subscores[name]!),
                        ]
                    })
            }
            return .object(observation)
        }
        return .object([
            "resourceType": "Bundle", "type": "collection", "meta": ["tag": .array(tags)],
            "entry": .array(observations.map { ["resource": $0] }),
        ])
    }
}
