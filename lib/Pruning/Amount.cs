namespace PruningLab.Pruning;

/// <summary>
/// How much to prune, as in <c>torch.nn.utils.prune</c>: a fraction in [0, 1] prunes <c>round(fraction × n)</c> of
/// the n candidates still alive (halves round to even), a count prunes exactly that many. Repeated pruning applies
/// the new amount to what is still alive, so 0.5 then 0.5 leaves a quarter.
/// </summary>
public readonly record struct Amount
{
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
