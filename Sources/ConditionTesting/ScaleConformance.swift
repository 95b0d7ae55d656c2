import RegistryCore

/// Checks any condition module against the rules every module must keep, and finds answer sets
/// that reach a given score so that tests can probe band boundaries. Pure functions: a test calls
/// ``ConditionConformance/problems(in:)`` and expects an empty list.
public enum ConditionConformance {
    /// Everything wrong with a condition module, in sentences; empty when it conforms.
    public static func problems(in condition: any Condition) -> [String] {
        var problems: [String] = []
        do { _ = try ConditionCatalog([condition]) } catch { problems.append("\(error)") }
        for scale in condition.scales { problems += self.problems(in: scale) }
        problems += codeProblems(condition.codes, where: "condition \(condition.id)")
        for check in condition.safetyChecks {
            guard let scale = condition.scale(check.scale) else { continue }
            if let answers = answersRaising(check, scale: scale) {
                if let result = try? scale.score(answers), !check.raises(answers: answers, result: result, scale: scale)
                {
                    problems.append("\(check.flag): answers built to raise it did not")
                }
            } else {
                problems.append("\(check.flag): no answers to \(scale.id) raise it")
            }
            let lowest = lowestAnswers(scale)
            if let result = try? scale.score(lowest), check.raises(answers: lowest, result: result, scale: scale) {
                problems.append("\(check.flag): raised by the lowest possible answers")
            }
        }
        return problems
    }

    /// Codes whose shape is wrong (a LOINC or SNOMED CT check digit, an ICD-10 pattern, a system
    /// that is not a URI), or one code given twice.
    public static func codeProblems(_ codes: [StandardCode], where place: String) -> [String] {
        var problems = codes.compactMap { $0.shapeProblem.map { "\(place): \($0)" } }
        for (index, code) in codes.enumerated()
        where codes[..<index].contains(where: { $0.system == code.system && $0.code == code.code }) {
            problems.append("\(place): code \(code.code) is given twice")
        }
        return problems
    }

    /// Everything wrong with one scale: ends of the range (the headline score's and each
    /// subscore's), band boundaries, refusal of every kind of invalid answer, the shape of its
    /// codes (the score's, the form's, each item's and band's).
    public static func problems(in scale: any AssessmentScale) -> [String] {
        var problems: [String] = []
        let name = scale.id
        problems +=
            codeProblems(scale.codes, where: "\(name) score") + codeProblems(scale.formCodes, where: "\(name) form")
        for item in scale.items { problems += codeProblems(item.codes, where: "\(name) item \(item.id)") }
        for band in scale.bands { problems += codeProblems(band.codes, where: "\(name) band \(band.id)") }
        // Each LOINC item code names one item only.
        let itemCodes = scale.items.flatMap(\.codes).map(\.code)
        for code in Set(itemCodes) where itemCodes.filter({ $0 == code }).count > 1 {
            problems.append("\(name): item code \(code) is given to two items")
        }
        // The lowest and highest answers reach the ends of the range.
        for (answers, expected, end) in [
            (lowestAnswers(scale), scale.range.lowerBound, "lowest"),
            (highestAnswers(scale), scale.range.upperBound, "highest"),
        ] {
            do {
                let result = try scale.score(answers)
                if result.score != expected {
                    problems.append("\(name): \(end) answers score \(result.score), not \(expected)")
                }
                // Each subscore is scored from a complete form, and reaches its own range's end.
                for subscore in scale.subscores {
                    let edge = end == "lowest" ? subscore.range.lowerBound : subscore.range.upperBound
                    guard let value = result.subscore(subscore.id) else {
                        problems.append("\(name): subscore \(subscore.id) missing from the \(end) answers' result")
                        continue
                    }
                    if value != edge {
                        problems.append(
                            "\(name): subscore \(subscore.id) of the \(end) answers is \(formatScore(value)), not \(formatScore(edge))"
                        )
                    }
                }
                let undeclared = result.subscores.map(\.name).filter { !scale.subscoreNames.contains($0) }
                if !undeclared.isEmpty {
                    problems.append(
                        "\(name): scoring reports subscores it does not declare: \(undeclared.joined(separator: ", "))")
                }
            } catch {
                problems.append("\(name): \(end) answers refused: \(error)")
            }
        }
        // Each band boundary, on both sides: the boundary itself, or where no answers score it
        // exactly (WHO-5 scores in steps of 4), the nearest whole score inside the band that some
        // answers reach.
        var reachable: [Double: [Int?]]?
        for (lower, upper) in zip(scale.bands, scale.bands.dropFirst()) {
            for (edge, band) in [(upper.lowerBound, upper), (lower.upperBound, lower)] {
                var found = answers(scoring: edge, on: scale).map { (edge, $0) }
                if found == nil {
                    // Every score the answers reach, searched once per scale.
                    let scores = reachable ?? reachableScores(scale)
                    reachable = scores
                    found = scores.filter { $0.key >= band.lowerBound && $0.key <= band.upperBound }.min {
                        abs($0.key - edge) < abs($1.key - edge)
                    }.map { ($0.key, $0.value) }
                }
                guard let (target, answers) = found else {
                    problems.append("\(name): no answers score \(edge), nor any score in band \(band.id)")
                    continue
                }
                let result = try? scale.score(answers)
                if result?.band != band {
                    problems.append(
                        "\(name): a score of \(target) is banded \(result?.band?.id ?? "none"), not \(band.id)")
                }
            }
        }
        // Every kind of invalid answer is refused.
        for (description, answers) in invalidAnswerSets(scale) {
            if (try? scale.score(answers)) != nil {
                problems.append("\(name): accepted \(description)")
            }
        }
        for (description, text) in invalidAnswerTexts(scale) {
            // Refused when typed (a bad word) or when scored (an entry missing).
            if let answers = try? scale.parseAnswers(text), (try? scale.score(answers)) != nil {
                problems.append("\(name): accepted the typed answers \(description) ('\(text)')")
            }
        }
        return problems
    }

    /// The raw answer of each item that scores lowest.
    public static func lowestAnswers(_ scale: any AssessmentScale) -> [Int?] {
        scale.items.map { item in
            rawAnswers(item).min { item.scoredValue(ofRawAnswer: $0) < item.scoredValue(ofRawAnswer: $1) }
        }
    }

    /// The raw answer of each item that scores highest.
    public static func highestAnswers(_ scale: any AssessmentScale) -> [Int?] {
        scale.items.map { item in
            rawAnswers(item).max { item.scoredValue(ofRawAnswer: $0) < item.scoredValue(ofRawAnswer: $1) }
        }
    }

    /// Every raw answer an item allows.
    public static func rawAnswers(_ item: ScaleItem) -> [Int] {
        switch item.response {
        case .number(let range): Array(range)
        case .options(let options): Array(options.indices)
        }
    }

    /// Answers whose headline score is exactly `target`; `nil` when none exist.
    public static func answers(scoring target: Double, on scale: any AssessmentScale) -> [Int?]? {
        search(scale, until: target)[target]
    }

    /// Every headline score some answers reach, each with answers that reach it; at most `limit`
    /// scores.
    public static func reachableScores(_ scale: any AssessmentScale, limit: Int = 50_000) -> [Double: [Int?]] {
        search(scale, until: nil, limit: limit)
    }

    /// A breadth-first search over scores: starting from the lowest answers, every change of one
    /// item's answer leads to a score, and the first answer set found for each score is kept and
    /// explored in turn, until `target` is found, every score is, or `limit` are. Scores are few (at
    /// most a few hundred for the shipped scales), so this is quick even for items that take 91
    /// values.
    static func search(_ scale: any AssessmentScale, until target: Double?, limit: Int = .max) -> [Double: [Int?]] {
        let start = lowestAnswers(scale)
        guard let startScore = try? scale.score(start).score else { return [:] }
        var found: [Double: [Int?]] = [startScore: start]
        var frontier = [start]
        while !frontier.isEmpty, found.count < limit {
            if let target, found[target] != nil { break }
            var next: [[Int?]] = []
            for answers in frontier {
                for index in scale.items.indices {
                    for raw in rawAnswers(scale.items[index]) where raw != answers[index] {
                        var candidate = answers
                        candidate[index] = raw
                        guard let score = try? scale.score(candidate).score, found[score] == nil else { continue }
                        found[score] = candidate
                        next.append(candidate)
                    }
                }
            }
            frontier = next
        }
        return found
    }

    /// Answers that a safety check should flag: the lowest answers with the trigger's item raised.
    static func answersRaising(_ check: SafetyCheck, scale: any AssessmentScale) -> [Int?]? {
        switch check.trigger {
        case .itemAtLeast(let itemID, let value):
            guard let index = scale.items.firstIndex(where: { $0.id == itemID }),
                let raw = rawAnswers(scale.items[index]).first(where: {
                    scale.items[index].scoredValue(ofRawAnswer: $0) >= value
                })
            else { return nil }
            var answers = lowestAnswers(scale)
            answers[index] = raw
            return answers
        case .scoreAtLeast(let value):
            return answers(scoring: value, on: scale)
        }
    }

    /// Raw answer sets that must be refused: too few, too many, each item out of range, each
    /// required item unanswered.
    public static func invalidAnswerSets(_ scale: any AssessmentScale) -> [(String, [Int?])] {
        let valid = lowestAnswers(scale)
        var sets: [(String, [Int?])] = [
            ("one answer too few", Array(valid.dropLast())), ("one answer too many", valid + [valid[0]]),
        ]
        for (index, item) in scale.items.enumerated() {
            let allowed = rawAnswers(item)
            for raw in [allowed.min()! - 1, allowed.max()! + 1] {
                var answers = valid
                answers[index] = raw
                sets.append(("item \(index + 1) answered \(raw)", answers))
            }
        }
        let blank = [Int?](repeating: nil, count: scale.items.count)
        sets.append(("no answers at all", blank))
        return sets
    }

    /// Typed answers that must be refused: words that are no label, numbers outside the range,
    /// decimals, the wrong number of entries.
    public static func invalidAnswerTexts(_ scale: any AssessmentScale) -> [(String, String)] {
        let valid = lowestAnswers(scale).map { $0.map(String.init) ?? "" }
        var texts: [(String, String)] = [
            ("with one entry too few", valid.dropLast().joined(separator: ",")),
            ("with one entry too many", (valid + [valid[0]]).joined(separator: ",")),
        ]
        for (index, item) in scale.items.enumerated() {
            var bad: [String] = ["maybe", "1.5"]
            switch item.response {
            case .number(let range): bad += [String(range.lowerBound - 1), String(range.upperBound + 1)]
            case .options(let options): bad += [String(options.count), "-1"]
            }
            for word in bad {
                var entries = valid
                entries[index] = word
                texts.append(("with item \(index + 1) as \(word)", entries.joined(separator: ",")))
            }
        }
        return texts
    }
}
