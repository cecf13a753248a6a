namespace PruningLab.Pruning;

/// <summary>
/// How much to prune, as in <c>torch.nn.utils.prune</c>: a fraction in [0, 1] prunes <c>round(fraction × n)</c> of
/// the n candidates still alive (halves round to even), a count prunes exactly that many. Repeated pruning applies
/// the new amount to what is still alive, so 0.5 then 0.5 leaves a quarter.
/// </summary>
/// <remarks>
/// A <see cref="double"/> converts implicitly to a fraction. An integer does not: in torch <c>amount=1</c> means one
/// weight, but C# would widen <c>1</c> to the fraction 1.0 and prune everything. Writing <c>Scope.Uniform(1)</c> is
/// therefore a compile-time error that points to <see cref="Exactly"/> or a fraction such as <c>1.0</c>.
/// </remarks>
public readonly record struct Amount
{
    private const string IntegerMessage =
        "An integer amount is ambiguous: torch reads amount=1 as one weight, a fraction would read it as 100 %. " +
        "Write Amount.Exactly(n) for a count, or a fraction such as 0.5 or 1.0.";

    private Amount(double? fraction, long? count) { Fraction = fraction; Count = count; }

    /// <summary>The fraction, or null for a count.</summary>
    public double? Fraction { get; }
    /// <summary>The count, or null for a fraction.</summary>
    public long? Count { get; }

    /// <summary>A fraction of the alive candidates.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [0, 1] or not a number.</exception>
    public static Amount Of(double fraction) =>
        double.IsNaN(fraction) || fraction < 0 || fraction > 1
            ? throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"A pruning fraction must be in [0, 1] (0.5 prunes half of what is alive); got {fraction}. To prune a number of weights, use Amount.Exactly(n).")
            : new Amount(fraction, null);

    /// <summary>Exactly <paramref name="count"/> candidates.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public static Amount Exactly(long count) =>
        count < 0 ? throw new ArgumentOutOfRangeException(nameof(count), count, $"A pruning count must be 0 or more; got {count}.") : new Amount(null, count);

    /// <summary>A fraction (a <see cref="double"/> converts implicitly).</summary>
    public static implicit operator Amount(double fraction) => Of(fraction);

    /// <summary>Not allowed: see the remarks of <see cref="Amount"/>.</summary>
    [Obsolete(IntegerMessage, error: true)]
    public static implicit operator Amount(int count) => throw new InvalidOperationException(IntegerMessage);

    /// <summary>Not allowed: see the remarks of <see cref="Amount"/>.</summary>
    [Obsolete(IntegerMessage, error: true)]
    public static implicit operator Amount(long count) => throw new InvalidOperationException(IntegerMessage);

    /// <summary>How many of <paramref name="alive"/> candidates to prune.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count larger than what is alive; <paramref name="where"/> names the layer.</exception>
    public long CountFor(long alive, string where)
    {
        if (Fraction is { } f) return (long)Math.Round(f * alive, MidpointRounding.ToEven);
        var count = Count ?? 0;
        if (count > alive)
            throw new ArgumentOutOfRangeException(nameof(Count), count, $"Cannot prune {count} from {where}: only {alive} are still alive.");
        return count;
    }

    /// <inheritdoc/>
    public override string ToString() => Fraction is { } f ? $"{f:P1}" : $"{Count} weights";
}
