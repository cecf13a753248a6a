namespace PruningLab.Experiments;

/// <summary>
/// The Pareto front of a set of trade-offs: the items that no other item beats on both counts, i.e. none costs at most
/// as much and reaches at least as much, one of the two strictly. Reading a comparison, only the front matters: any
/// other point has a better choice on it.
/// </summary>
public static class Pareto
{
    /// <summary>
    /// The items on the front, by increasing cost (lower cost is better, higher value is better). Of items with the same
    /// cost and value, the first is kept: the front lists each trade-off once.
    /// </summary>
    /// <exception cref="ArgumentException">A cost or value that is not a finite number.</exception>
    public static IReadOnlyList<T> Front<T>(IEnumerable<T> items, Func<T, double> cost, Func<T, double> value)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(value);
        var points = items.Select(i => (Item: i, Cost: cost(i), Value: value(i))).ToList();
        if (points.Any(p => !double.IsFinite(p.Cost) || !double.IsFinite(p.Value)))
            throw new ArgumentException("Every cost and value must be a finite number.", nameof(items));
        // Cheapest first (the better value first among equal costs): an item is on the front when it beats the best
        // value of everything cheaper.
        var front = new List<T>();
        var best = double.NegativeInfinity;
        foreach (var p in points.OrderBy(p => p.Cost).ThenByDescending(p => p.Value))
            if (p.Value > best)
            {
                front.Add(p.Item);
                best = p.Value;
            }
        return front;
    }
}
