import Depression
import NeuropathicPain
import RegistryCore
import Testing

/// Whether an item may be left blank at entry: the scale's own scoring rule decides, for any
/// front door (the terminal's item-by-item entry, a web form).
@Suite("An item may be left blank only where the scale can still be scored")
struct ItemBlankTests {
    let catalog = try! ConditionCatalog([DepressionModule(), NeuropathicPainModule()])

    func scale(_ id: String) throws -> any AssessmentScale { try #require(catalog.scale(id)) }

    @Test("PHQ-9 needs every item: each one, blank, is needed, whatever came before")
    func phq9() throws {
        let phq9 = try scale("phq9")
        var checked = 0
        for index in phq9.items.indices {
            var answers = [Int?](repeating: nil, count: 9)
            for earlier in 0..<index { answers[earlier] = 1 }
            #expect(phq9.reasonItemIsNeeded(at: index, answers: answers) != nil, "item \(index + 1)")
            checked += 1
        }
        #expect(checked == 9)
    }

    @Test(
        "QIDS-SR16: item 6 or 7 may be blank while the other of the appetite and weight items can still be answered; sad mood (item 5) may not"
    )
    func qids() throws {
        let qids = try scale("qids-sr16")
        var answers = [Int?](repeating: nil, count: 16)
        for earlier in 0..<5 { answers[earlier] = 1 }
        #expect(qids.reasonItemIsNeeded(at: 5, answers: answers) == nil)  // item 6: 7, 8 or 9 may answer
        #expect(qids.reasonItemIsNeeded(at: 6, answers: answers) == nil)  // item 7 too, with 8 and 9 to come
        answers[4] = nil
        #expect(qids.reasonItemIsNeeded(at: 4, answers: answers) != nil)  // item 5 is a domain alone
        // The last appetite or weight item, the other three blank: needed.
        var late = [Int?](repeating: 1, count: 16)
        for index in 5...7 { late[index] = nil }
        #expect(qids.reasonItemIsNeeded(at: 8, answers: late) != nil)
        late[7] = 2
        #expect(qids.reasonItemIsNeeded(at: 8, answers: late) == nil)
    }

    @Test(
        "BPI-SF: a severity item is needed; an interference item may be blank (interference is left out below 4 of 7)")
    func bpiSF() throws {
        let bpi = try scale("bpi-sf")
        let answers = [Int?](repeating: nil, count: bpi.items.count)
        #expect(bpi.reasonItemIsNeeded(at: 0, answers: answers) != nil)
        let severity: [Int?] = [5, 6, 4, 5] + [Int?](repeating: nil, count: bpi.items.count - 4)
        for index in 4..<bpi.items.count {
            #expect(bpi.reasonItemIsNeeded(at: index, answers: severity) == nil, "item \(index + 1)")
        }
    }

    @Test("The first allowed answer: a range's lower end, or the first option's position")
    func firstAllowed() {
        #expect(ResponseKind.number(0...3).firstAllowedAnswer == 0)
        #expect(ResponseKind.number(4...10).firstAllowedAnswer == 4)
        #expect(ResponseKind.yesNo.firstAllowedAnswer == 0)
        #expect(ResponseKind.options([]).firstAllowedAnswer == nil)
    }
}
