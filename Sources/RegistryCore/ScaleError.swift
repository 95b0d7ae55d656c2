/// Why a set of answers cannot be scored. The description is the sentence the command line prints.
public enum ScaleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The answers given were not one per item: the scale has `expected` items and `got` answers came.
    case wrongNumberOfAnswers(scale: String, expected: Int, got: Int)
    /// An answer is not allowed for its item (counted from 1): `allowed` says in words what the item takes.
    case answerNotAllowed(scale: String, item: Int, itemLabel: String, allowed: String, got: String)
    /// Too few items of a part of the scale (the total, a domain, the headline subscore) were answered to score it;
    /// `unansweredItems` are counted from 1.
    case tooFewAnswered(scale: String, part: String, needed: Int, answered: Int, unansweredItems: [Int])
    /// A scale with more than one item was given a single value (`--value`) instead of one answer per item.
    case notSingleValue(scale: String, items: Int)

    /// The sentence the command line prints, naming the scale, the item and what is allowed or missing.
    public var description: String {
        switch self {
        case .wrongNumberOfAnswers(let scale, let expected, let got):
            "\(scale) has \(expected) item\(expected == 1 ? "" : "s"); got \(got) answer\(got == 1 ? "" : "s")"
                + " (give one per item in order, comma separated, leaving an unanswered item empty: 3,,2)"
        case .answerNotAllowed(let scale, let item, let label, let allowed, let got):
            "\(scale) item \(item) (\(label)): '\(InputError.quote(got))' is not allowed; expected \(allowed)"
        case .tooFewAnswered(let scale, let part, let needed, let answered, let unanswered):
            "\(scale): \(part) needs at least \(needed) answered item\(needed == 1 ? "" : "s"), got \(answered)"
                + " (unanswered: item\(unanswered.count == 1 ? "" : "s") "
                + unanswered.map(String.init).joined(separator: ", ") + ")"
        case .notSingleValue(let scale, let items):
            "\(scale) has \(items) items: give its answers, one per item, not a single value"
        }
    }
}
