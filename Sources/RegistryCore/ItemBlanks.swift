extension ResponseKind {
    /// The first answer the item allows (as ``AssessmentScale/parseAnswer(_:item:)`` gives it): the
    /// range's lower end, or the first option's position. Nil for an item that allows nothing.
    public var firstAllowedAnswer: Int? {
        switch self {
        case .number(let range): range.lowerBound
        case .options(let options): options.isEmpty ? nil : 0
        }
    }
}

extension AssessmentScale {
    /// Why the item at `index` (from 0) may not be left unanswered, given `answers` so far; nil when
    /// it may. An item may be left blank when the scale can still be scored with it blank and every
    /// later item answered (with its first allowed answer, where it is not answered yet): the
    /// scale's own scoring rule decides, so entry at a keyboard or on a web page asks again at once
    /// for an item the scale cannot do without, rather than at the end.
    public func reasonItemIsNeeded(at index: Int, answers: [Int?]) -> ScaleError? {
        guard items.indices.contains(index), answers.count == items.count else { return nil }
        var trial = answers
        trial[index] = nil
        for later in items.indices where later > index {
            trial[later] = trial[later] ?? items[later].response.firstAllowedAnswer
        }
        do throws(ScaleError) {
            _ = try score(trial)
            return nil
        } catch {
            return error
        }
    }
}
