using PruningLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>
/// The pruning masks of a model: one 0/1 tensor per prunable weight (every weight of two or more dimensions, less
/// the excluded layers). A mask holds, a criterion scores, a granularity groups, a scope decides how much.
/// Introduced in lesson 01.
/// </summary>
/// <remarks>
/// <para>Pruning works in place: <see cref="Prune"/> computes new masks and multiplies them into the weights, so a
/// pruned weight is an exact zero in the model itself. This is not torch's reparametrisation (where the forward pass
/// multiplies an original by a mask every time): nothing re-applies the mask by itself. During training,
/// <see cref="Hook"/> re-applies it after every optimiser step (SGD momentum, Nesterov, weight decay and Adam all push
/// pruned weights away from zero otherwise); a hand-written loop must call <see cref="Apply"/> after each step.</para>
/// <para>The values the weights had before the first pruning are kept, so <see cref="Restore"/> can undo it; they
/// travel with <see cref="Save"/> and <see cref="Load"/>.</para>
/// <para>Ties between equal scores are broken by position: the entry (or group) that comes first in the layer's
/// flattened order, and for global pruning the layer that comes first in the model, is pruned first.</para>
/// </remarks>
public sealed class ModelMasks : IDisposable
{
    private const string MaskPrefix = "mask::";
    private const string OriginalPrefix = "original::";

    private readonly nn.Module model;
    private readonly Dictionary<string, Parameter> weights;
    private readonly Dictionary<string, Tensor> masks = [];
    private readonly Dictionary<string, Tensor> originals = [];
    private Dictionary<string, long>? outputPositions;
    private bool disposed;

    private ModelMasks(nn.Module model, Dictionary<string, Parameter> weights)
    {
        this.model = model;
        this.weights = weights;
        foreach (var (name, weight) in weights)
            masks[name] = ones_like(weight, dtype: float32).DetachFromDisposeScope();
    }

    /// <summary>
    /// Masks for every weight tensor of two or more dimensions, except those of <paramref name="exclude"/>
    /// (module or parameter names, e.g. <c>fc3</c> for the classifier). All masks start at one (nothing pruned).
    /// </summary>
    /// <exception cref="ArgumentException">An excluded name is not a layer of the model, or nothing is left to prune.</exception>
    public static ModelMasks For(nn.Module model, params string[] exclude)
    {
        ArgumentNullException.ThrowIfNull(model);
        var all = LayerNames.Prunable(model);
        foreach (var name in exclude)
            if (LayerNames.Resolve(all.Keys, name) is null)
                throw new ArgumentException($"Cannot exclude '{name}': {model.GetName()} has no such prunable layer. Prunable: {string.Join(", ", all.Keys)}.", nameof(exclude));
        var kept = all.Where(p => !exclude.Any(e => LayerNames.Resolve([p.Key], e) is not null)).ToDictionary(p => p.Key, p => p.Value);
        if (kept.Count == 0) throw new ArgumentException($"{model.GetName()} has no prunable weights left after excluding {string.Join(", ", exclude)}.", nameof(exclude));
        foreach (var (name, weight) in kept)
            if (weight.numel() == 0) throw new ArgumentException($"'{name}' has no weights (shape [{string.Join(",", weight.shape)}]) and cannot be pruned.");
        return new ModelMasks(model, kept);
    }

    /// <summary>The masked parameter names, in model order.</summary>
    public IReadOnlyList<string> Names => weights.Keys.ToList();

    /// <summary>The mask of one parameter (<c>fc1</c> or <c>fc1.weight</c>): 1 keeps, 0 prunes.</summary>
    public Tensor this[string name]
    {
        get
        {
            ThrowIfDisposed();
            return masks[LayerNames.Resolve(weights.Keys, name)
                ?? throw new KeyNotFoundException($"'{name}' is not a masked layer. Masked: {string.Join(", ", weights.Keys)}.")];
        }
    }

    /// <summary>The model these masks belong to.</summary>
    public nn.Module Model => model;

    /// <summary>Masked weights in all (excluded layers do not count).</summary>
    public long Total => weights.Values.Sum(w => w.numel());

    /// <summary>Pruned (mask 0) weights of the masked layers, counted from the masks: no forward pass.</summary>
    public long Zeros
    {
        get
        {
            ThrowIfDisposed();
            return masks.Keys.Sum(ZerosOf);
        }
    }

    /// <summary>The fraction of the masked weights that are pruned (0…1), counted from the masks.</summary>
    public double Sparsity => Zeros / (double)Total;

    /// <summary>
    /// Prunes more: for each layer (or across layers, for a global scope) the lowest-scoring alive groups are
    /// pruned, the amount counting only what is still alive; old and new masks are combined and applied.
    /// </summary>
    /// <param name="scope">How much, and where (see <see cref="Scope"/>).</param>
    /// <param name="criterion">The importance; magnitude if null.</param>
    /// <param name="granularity">What is pruned together; fine-grained if null.</param>
    /// <returns>These masks, for chaining.</returns>
    /// <exception cref="ArgumentException">A weight is not finite, a score is not finite or negative, or the scope names an unknown layer.</exception>
    /// <exception cref="ObjectDisposedException">The masks (or the model) were disposed.</exception>
    public ModelMasks Prune(Scope scope, IImportance? criterion = null, Granularity? granularity = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        // A layer-wise scope that names its layers leaves the others alone: they are not even scored, so a granularity
        // that does not fit them (kernels of a linear layer, 2:4 of a 1-input convolution) is no error.
        var touched = scope is Scope.LayerWiseScope { PerLayer: not null } named ? AmountsOf(named) : null;
        if (granularity?.FixedFraction is { } fixedFraction)
            return Decide(criterion, granularity, touched, layers => OwnSelection(layers, scope, granularity, fixedFraction));
        return Decide(criterion, granularity, touched, layers => scope switch
        {
            Scope.LayerWiseScope layerWise => LayerWise(layers, layerWise),
            Scope.GlobalScope global => Global(layers, global),
            _ => throw new ArgumentException($"Unknown scope {scope}: use Scope.Uniform, Scope.LayerWise or Scope.Global.", nameof(scope)),
        });
    }

    /// <summary>
    /// Prunes until the masked weights reach <paramref name="targetSparsity"/>: globally (one ranking) or uniformly
    /// (every layer to the same sparsity). The target counts weights, whatever the granularity: the fewest lowest-scoring
    /// groups that reach it are pruned, so with rows or kernels the result lies at most one group above the target.
    /// Already-pruned weights stay pruned; a target at or below the current sparsity changes nothing. Used by the
    /// iterative and gradual schedules.
    /// </summary>
    public ModelMasks PruneTo(double targetSparsity, bool global = true, IImportance? criterion = null, Granularity? granularity = null)
    {
        _ = Amount.Of(targetSparsity);   // validates the range with a clear message
        if (granularity?.FixedFraction is not null)
            throw new ArgumentException($"{granularity} sparsity prunes a fixed share of every layer; it has no target to reach. Use Prune(Scope.Uniform(...), granularity: ...).", nameof(granularity));
        return Decide(criterion, granularity, null, layers =>
        {
            if (!global)
                return layers.ToDictionary(l => l.Name, l =>
                    Selection.LowestCovering(l.Scores, l.Alive, l.Sizes, ShortOf(targetSparsity, weights[l.Name].numel(), ZerosOf(l.Name))));
            var chosen = Selection.LowestCovering(cat(layers.Select(l => l.Scores).ToList()), cat(layers.Select(l => l.Alive).ToList()),
                cat(layers.Select(l => l.Sizes).ToList()), ShortOf(targetSparsity, Total, Zeros));
            return Split(layers, chosen);
        });
    }

    /// <summary>
    /// Commits a solver's decision for one layer: a new mask together with new values for the weights it keeps
    /// (Optimal Brain Surgeon moves the survivors to make up for what it removes). Nothing pruned comes back: the new
    /// mask may only add zeros. Weights are stored masked. <see cref="Restore"/> still returns every pruned weight to
    /// its value before pruning; the survivors keep the solver's values, as they keep trained values.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown layer, shapes that differ, a mask that is not 0/1, non-finite weights, or a mask that would revive a pruned weight.</exception>
    public void Commit(string name, Tensor mask, Tensor weight)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(weight);
        var key = LayerNames.Resolve(weights.Keys, name) ?? throw new ArgumentException($"'{name}' is not a masked layer. Masked: {string.Join(", ", weights.Keys)}.", nameof(name));
        var target = weights[key];
        if (!mask.shape.SequenceEqual(target.shape) || !weight.shape.SequenceEqual(target.shape))
            throw new ArgumentException($"'{key}' is [{string.Join(",", target.shape)}]; got a mask [{string.Join(",", mask.shape)}] and weights [{string.Join(",", weight.shape)}].");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var newMask = mask.detach().to(float32);
        if (!newMask.eq(0).logical_or(newMask.eq(1)).all().item<bool>()) throw new ArgumentException($"The mask of '{key}' must hold only 0 and 1.", nameof(mask));
        if (!weight.isfinite().all().item<bool>()) throw new ArgumentException($"The new weights of '{key}' contain NaN or infinite values; nothing was committed.", nameof(weight));
        var revived = masks[key].eq(0).logical_and(newMask.eq(1)).sum().item<long>();
        if (revived > 0) throw new ArgumentException($"The new mask of '{key}' would bring back {revived} pruned weights; a solver may only remove more.", nameof(mask));
        SaveOriginals();
        masks[key].copy_(newMask);
        target.copy_(weight.detach().to(target.dtype) * newMask.to(target.dtype));
    }

    /// <summary>Multiplies every weight by its mask (pruned weights become exactly zero).</summary>
    public void Apply()
    {
        ThrowIfDisposed();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (name, weight) in weights) weight.mul_(masks[name].to(weight.dtype));
    }

    /// <summary>A training hook that re-applies the masks after every optimiser step.</summary>
    public ITrainingHook Hook => new HoldMasks(this);

    /// <summary>
    /// Puts the weights back to the values they had before the first <see cref="Prune"/> (since the masks were
    /// created or last restored) and resets every mask to one. Training since then is undone for pruned weights
    /// only; surviving weights keep their trained values.
    /// </summary>
    public void Restore()
    {
        ThrowIfDisposed();
        using var noGrad = no_grad();
        using (var scope = NewDisposeScope())
            foreach (var (name, weight) in weights)
            {
                if (originals.TryGetValue(name, out var original))
                {
                    var keep = masks[name].to(weight.dtype);
                    weight.copy_(keep * weight + (1 - keep) * original);
                }
                masks[name].fill_(1);
            }
        // Nothing is pruned any more: the next Prune keeps the values it finds.
        ForgetOriginals();
    }

    /// <summary>
    /// Makes the pruning permanent: the weights keep their zeros and the masks are forgotten (all ones again), so
    /// nothing holds the zeros during further training, and a later <see cref="Prune"/> may choose those zeros again.
    /// </summary>
    public void Remove()
    {
        Apply();
        foreach (var mask in masks.Values) mask.fill_(1);
        ForgetOriginals();
    }

    /// <summary>
    /// Sparsity, multiply-accumulates and storage per prunable layer (excluded layers included, marked as not
    /// masked). Zeros come from the masks; the output positions of convolutions from one forward pass of a zero input
    /// of <paramref name="inputShape"/>, or of the shape the model states (<see cref="Models.ICourseModel"/>), made
    /// once and remembered.
    /// </summary>
    /// <exception cref="ArgumentException">The model has convolutions and neither states nor is given an input shape.</exception>
    public SparsityReport Report(long[]? inputShape = null)
    {
        ThrowIfDisposed();
        if (inputShape is not null) return SparsityReport.Of(model, inputShape, masks);
        outputPositions ??= SparsityReport.OutputPositions(model, null);
        return SparsityReport.Build(model, outputPositions, masks);
    }

    /// <summary>Saves the model's weights, these masks and the values <see cref="Restore"/> needs to one checkpoint file.</summary>
    public void Save(string path)
    {
        ThrowIfDisposed();
        var extras = masks.ToDictionary(p => MaskPrefix + p.Key, p => p.Value);
        foreach (var (name, original) in originals) extras[OriginalPrefix + name] = original;
        Checkpoint.Save(model, path, extras);
    }

    /// <summary>
    /// Loads weights and masks saved by <see cref="Save"/> into <paramref name="model"/> (same architecture) and
    /// returns its masks; <see cref="Restore"/> works on them as before saving.
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the model, or holds no masks.</exception>
    public static ModelMasks Load(nn.Module model, string path)
    {
        var extras = Checkpoint.Load(model, path);
        try
        {
            var saved = WithPrefix(extras, MaskPrefix);
            if (saved.Count == 0) throw new InvalidDataException($"'{path}' holds a model but no masks; load it with Checkpoint.Load.");
            var all = LayerNames.Prunable(model);
            var unknown = saved.Keys.Except(all.Keys).ToList();
            if (unknown.Count > 0) throw new InvalidDataException($"'{path}' has masks for {string.Join(", ", unknown)}, which {model.GetName()} does not have.");
            var result = new ModelMasks(model, saved.Keys.ToDictionary(k => k, k => all[k]));
            foreach (var (name, mask) in saved) result.masks[name].copy_(mask);
            foreach (var (name, original) in WithPrefix(extras, OriginalPrefix))
                result.originals[name] = original.clone().DetachFromDisposeScope();
            return result;
        }
        finally
        {
            foreach (var tensor in extras.Values) tensor.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var mask in masks.Values) mask.Dispose();
        ForgetOriginals();
    }

    // The shared path of Prune and PruneTo: validate and score every layer, let `choose` pick the groups to prune
    // per layer, then combine the new masks with the old and apply them.
    private ModelMasks Decide(IImportance? criterion, Granularity? granularity, Func<string, Amount?>? touched,
        Func<List<LayerGroups>, Dictionary<string, Tensor>> choose)
    {
        ThrowIfDisposed();
        criterion ??= Importance.Magnitude;
        granularity ??= Granularity.FineGrained;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var layers = weights.Where(p => touched is null || touched(p.Key) is not null)
            .Select(p => Score(p.Key, p.Value, criterion, granularity)).ToList();
        var prune = choose(layers);
        SaveOriginals();
        foreach (var (name, groups) in prune)
            masks[name].mul_(granularity.Expand(groups.logical_not().to(float32), weights[name].shape));
        Apply();
        return this;
    }

    // Per layer: one score per group, whether the group is alive (any weight unpruned) and how many weights it would prune.
    private sealed record LayerGroups(string Name, Tensor Scores, Tensor Alive, Tensor Sizes);

    private LayerGroups Score(string name, Parameter weight, IImportance criterion, Granularity granularity)
    {
        var finite = weight.isfinite();
        if (!finite.all().item<bool>())
        {
            var nan = weight.isnan().sum().item<long>();
            var infinite = weight.isinf().sum().item<long>();
            throw new ArgumentException($"'{name}' contains {nan} NaN and {infinite} infinite weights; pruning would rank them arbitrarily. " +
                "Check the training run (learning rate too high?) before pruning.");
        }
        granularity.Validate(name, weight);
        var scores = criterion is IGroupImportance grouped ? GroupScoresOf(grouped, name, weight, granularity) : PerWeight(criterion, name, weight, granularity);
        if (!scores.isfinite().all().item<bool>() || scores.lt(0).any().item<bool>())
            throw new ArgumentException($"The criterion {criterion} gave NaN, infinite or negative scores for '{name}'; " +
                "scores must be finite and non-negative (a NaN would never be pruned, and sorts after every number).");
        var sizes = granularity.Grouped(masks[name].to(float64)).sum(1);
        return new LayerGroups(name, scores, sizes.gt(0), sizes);
    }

    private static Tensor PerWeight(IImportance criterion, string name, Tensor weight, Granularity granularity)
    {
        var score = criterion.Score(name, weight);
        if (!score.shape.SequenceEqual(weight.shape))
            throw new ArgumentException($"The criterion {criterion} gave scores of shape [{string.Join(",", score.shape)}] for '{name}', whose weight is [{string.Join(",", weight.shape)}].");
        return granularity.GroupScores(score.to(float64)).flatten();
    }

    private static Tensor GroupScoresOf(IGroupImportance criterion, string name, Tensor weight, Granularity granularity)
    {
        var groups = granularity.Grouped(weight).shape[0];
        var scores = criterion.GroupScores(name, weight, granularity);
        if (scores.numel() != groups)
            throw new ArgumentException($"The criterion {criterion} gave {scores.numel()} group scores for '{name}', which has {groups} groups at {granularity}.");
        return scores.to(float64).flatten();
    }

    private Dictionary<string, Tensor> LayerWise(List<LayerGroups> layers, Scope.LayerWiseScope scope)
    {
        var amounts = AmountsOf(scope);
        var result = new Dictionary<string, Tensor>();
        foreach (var layer in layers)
            if (amounts(layer.Name) is { } amount)
                result[layer.Name] = Selection.Lowest(layer.Scores, layer.Alive, amount.CountFor(layer.Alive.sum().item<long>(), $"'{layer.Name}'"));
        return result;
    }

    // The amount a layer-wise scope gives each masked layer (null: the scope leaves it alone); unknown names are an error.
    private Func<string, Amount?> AmountsOf(Scope.LayerWiseScope scope)
    {
        if (scope.PerLayer is null) return _ => scope.Default;
        var perLayer = scope.PerLayer.ToDictionary(p => LayerNames.Resolve(weights.Keys, p.Key)
            ?? throw new ArgumentException($"Unknown layer '{p.Key}'. Masked layers: {string.Join(", ", weights.Keys)}."), p => p.Value);
        return name => perLayer.TryGetValue(name, out var amount) ? amount : null;
    }

    private static Dictionary<string, Tensor> Global(List<LayerGroups> layers, Scope.GlobalScope scope)
    {
        var alive = cat(layers.Select(l => l.Alive).ToList());
        var scores = cat(layers.Select(l => scope.NormalizeLayers ? Normalized(l) : l.Scores).ToList());
        var count = scope.Amount.CountFor(alive.sum().item<long>(), "the model");
        if (scope.MaxPerLayer >= 1) return Split(layers, Selection.Lowest(scores, alive, count));
        // The most groups each layer may lose in all (what it has lost already counts).
        var room = layers.Select(l => Math.Max(0, (long)Math.Floor(scope.MaxPerLayer * l.Scores.shape[0]) - l.Alive.logical_not().sum().item<long>())).ToArray();
        var layerOf = cat(layers.Select((l, i) => full(l.Scores.shape[0], i, dtype: int64)).ToList());
        return Split(layers, Selection.LowestCapped(scores, alive, count, layerOf, room));
    }

    // A layer's scores over the mean of its alive groups' scores (unchanged if that mean is 0).
    private static Tensor Normalized(LayerGroups layer)
    {
        var mean = layer.Scores.masked_select(layer.Alive).mean().item<double>();
        return mean > 0 && double.IsFinite(mean) ? layer.Scores / mean : layer.Scores;
    }

    // N:M and other granularities that choose by themselves: only which layers, and the amount as a consistency check.
    private Dictionary<string, Tensor> OwnSelection(List<LayerGroups> layers, Scope scope, Granularity granularity, double fraction)
    {
        if (scope is not Scope.LayerWiseScope layerWise)
            throw new ArgumentException($"{granularity} sparsity is decided inside every group of a layer, not by one ranking across layers: use Scope.Uniform({fraction:0.###}).", nameof(scope));
        var amounts = AmountsOf(layerWise);
        var result = new Dictionary<string, Tensor>();
        foreach (var layer in layers)
        {
            if (amounts(layer.Name) is not { } amount) continue;
            if (amount.Fraction is not { } f || Math.Abs(f - fraction) > 1e-9)
                throw new ArgumentException($"{granularity} sparsity prunes exactly {fraction:P0} of '{layer.Name}'; ask for that fraction ({fraction:0.###}), not {amount}.", nameof(scope));
            result[layer.Name] = granularity.SelectOwn(layer.Scores, layer.Alive)!;
        }
        return result;
    }

    private static Dictionary<string, Tensor> Split(List<LayerGroups> layers, Tensor chosen)
    {
        var result = new Dictionary<string, Tensor>();
        long offset = 0;
        foreach (var layer in layers)
        {
            result[layer.Name] = chosen.narrow(0, offset, layer.Scores.shape[0]);
            offset += layer.Scores.shape[0];
        }
        return result;
    }

    // Weights still to prune to reach `target` of `total` with `zeros` pruned (0 when already there).
    private static long ShortOf(double target, long total, long zeros) => Math.Max(0, (long)Math.Round(target * total, MidpointRounding.ToEven) - zeros);

    private long ZerosOf(string name)
    {
        using var scope = NewDisposeScope();
        return masks[name].numel() - masks[name].count_nonzero().item<long>();
    }

    private static Dictionary<string, Tensor> WithPrefix(IReadOnlyDictionary<string, Tensor> extras, string prefix) =>
        extras.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);

    private void SaveOriginals()
    {
        if (originals.Count > 0) return;
        foreach (var (name, weight) in weights) originals[name] = weight.detach().clone().DetachFromDisposeScope();
    }

    private void ForgetOriginals()
    {
        foreach (var original in originals.Values) original.Dispose();
        originals.Clear();
    }

    private void ThrowIfDisposed()
    {
        if (disposed) throw new ObjectDisposedException(nameof(ModelMasks), "These masks were disposed; create new ones with ModelMasks.For(model).");
        foreach (var (name, weight) in weights)
            if (weight.IsInvalid)
                throw new ObjectDisposedException(model.GetName(), $"The model of these masks was disposed ('{name}' is gone); create the model and its masks again.");
    }

    private sealed class HoldMasks(ModelMasks masks) : ITrainingHook
    {
        public void AfterOptimizerStep(nn.Module model, long step) => masks.Apply();
    }
}
