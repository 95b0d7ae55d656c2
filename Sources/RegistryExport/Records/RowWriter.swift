import Crypto
import Foundation
import PayloadFormat
import RegistryCore
import RegistryStore

/// The rows as `JSONEncoder` writes them with sorted keys and unescaped slashes, by hand: each row
/// as its members in the encoder's order (absent optionals left out), then written out.
enum RowWriter {
    typealias Members = [(name: String, value: JSONValue)]

    static func patient(_ row: PatientRecord) -> Members {
        [
            ("ageBand", .string(row.ageBand)), ("conditions", .array(row.conditions.map { .string($0) })),
            ("detail", .string(row.detail)),
            ("patient", .string(row.patient)), ("sex", .string(row.sex)),
        ]
    }

    static func assessment(_ row: AssessmentRecord) -> Members {
        var members: Members = []
        members.reserveCapacity(7)
        if let band = row.band { members.append(("band", .string(band))) }
        members += [("patient", .string(row.patient)), ("scale", .string(row.scale)), ("score", .number(row.score))]
        if let subscores = row.subscores { members.append(("subscores", .object(subscores.mapValues { .number($0) }))) }
        members.append(("timepoint", .string(row.timepoint)))
        if let week = row.week { members.append(("week", .number(Double(week)))) }
        return members
    }

    static func infusion(_ row: InfusionRecord) -> Members {
        var members: Members = []
        members.reserveCapacity(9)
        members.append(("condition", .string(row.condition)))
        if let dose = row.doseMg { members.append(("doseMg", .string(dose))) }
        if let dose = row.doseMgPerKg { members.append(("doseMgPerKg", .string(dose))) }
        if let drug = row.drug { members.append(("drug", .string(drug))) }
        members += [("minutes", .string(row.minutes)), ("patient", .string(row.patient))]
        if let rate = row.rateMgPerKgPerHour { members.append(("rateMgPerKgPerHour", .string(rate))) }
        if let route = row.route { members.append(("route", .string(route))) }
        if let week = row.week { members.append(("week", .number(Double(week)))) }
        return members
    }

    static func observation(_ row: ObservationRecord) -> Members {
        var members: Members = []
        members.reserveCapacity(10)
        if let diastolic = row.diastolic { members.append(("diastolic", .number(Double(diastolic)))) }
        members.append(("dissociation", .bool(row.dissociation)))
        if let heartRate = row.heartRate { members.append(("heartRate", .number(Double(heartRate)))) }
        if let hours = row.hoursFromStart { members.append(("hoursFromStart", .number(Double(hours)))) }
        members += [
            ("patient", .string(row.patient)), ("respiratoryDepression", .bool(row.respiratoryDepression)),
            ("sedation", .bool(row.sedation)),
        ]
        if let spo2 = row.spo2 { members.append(("spo2", .number(Double(spo2)))) }
        if let systolic = row.systolic { members.append(("systolic", .number(Double(systolic)))) }
        if let week = row.week { members.append(("week", .number(Double(week)))) }
        return members
    }

    /// Members already in the encoder's order, as one object.
    static func write(_ members: Members, into out: inout [UInt8]) {
        write(members, keys: members.map { key($0.name) }, into: &out)
    }

    /// The same with each member's key already written (`"name":`).
    static func write(_ members: Members, keys: [[UInt8]], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: keys[index])
            value(member.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func value(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .string(let text): appendJSONString(text, to: &out)
        case .number(let number): self.number(number, into: &out)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                self.value(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            // Only subscores, numbers by name: the encoder's own key order.
            out.append(
                contentsOf: encoded(
                    members.compactMapValues { if case .number(let number) = $0 { number } else { nil } }))
        }
    }

    /// A member's name as written before its value: `"name":`.
    static func key(_ name: String) -> [UInt8] {
        var key: [UInt8] = []
        appendJSONString(name, to: &key)
        key.append(UInt8(ascii: ":"))
        return key
    }

    /// A double as the encoder writes it (a non-finite one, which scoring never gives, as the
    /// encoder's fallback below).
    static func number(_ value: Double, into out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(contentsOf: encoded(value))
            return
        }
        appendJSONNumber(value, to: &out)
    }

    private static func encoded<Value: Encodable>(_ value: Value) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, numbers and dictionaries of numbers always encode (a non-finite score never
        // reaches a payload: scoring refuses it).
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }
}
