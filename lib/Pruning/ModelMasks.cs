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
/// <para>Pruning works in place: <see cref="Prune"/> computes new masks and multiplies them into the weights. The
/// values the weights had before the first pruning are kept, so <see cref="Restore"/> can undo it (the
/// reparametrisation of <c>torch.nn.utils.prune</c>, where the effective weight is original × mask).</para>
/// <para>During training, <see cref="Hook"/> re-applies the masks after every optimiser step: SGD momentum,
/// Nesterov, weight decay and Adam all push pruned weights away from zero otherwise.</para>
/// <para>Ties between equal scores are broken by position: the entry (or group) that comes first in the layer's
/// flattened order, and for global pruning the layer that comes first in the model, is pruned first.</para>
/// </remarks>
public sealed class ModelMasks : IDisposable
{
    private readonly nn.Module model;
    private readonly Dictionary<string, Parameter> weights;
    private readonly Dictionary<string, Tensor> masks = [];
    private readonly Dictionary<string, Tensor> originals = [];

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
        var all = model.named_parameters().Where(p => p.parameter.dim() >= 2).ToDictionary(p => p.name, p => p.parameter);
        foreach (var name in exclude)
            if (Resolve(all.Keys, name) is null)
                throw new ArgumentException($"Cannot exclude '{name}': {model.GetName()} has no such prunable layer. Prunable: {string.Join(", ", all.Keys)}.", nameof(exclude));
        var kept = all.Where(p => !exclude.Any(e => Resolve([p.Key], e) is not null)).ToDictionary(p => p.Key, p => p.Value);
        if (kept.Count == 0) throw new ArgumentException($"{model.GetName()} has no prunable weights left after excluding {string.Join(", ", exclude)}.", nameof(exclude));
        foreach (var (name, weight) in kept)
            if (weight.numel() == 0) throw new ArgumentException($"'{name}' has no weights (shape [{string.Join(",", weight.shape)}]) and cannot be pruned.");
        return new ModelMasks(model, kept);
    }

    /// <summary>The masked parameter names, in model order.</summary>
    public IReadOnlyList<string> Names => weights.Keys.ToList();

    /// <summary>The mask of one parameter (<c>fc1</c> or <c>fc1.weight</c>): 1 keeps, 0 prunes.</summary>
    public Tensor this[string name] => masks[NameOf(name)];

    /// <summary>The model these masks belong to.</summary>
    public nn.Module Model => model;

    /// <summary>
    /// Prunes more: for each layer (or across layers, for a global scope) the lowest-scoring alive groups are
    /// pruned, the amount counting only what is still alive; old and new masks are combined and applied.
    /// </summary>
    /// <param name="scope">How much, and where (see <see cref="Scope"/>).</param>
    /// <param name="criterion">The importance; magnitude if null.</param>
    /// <param name="granularity">What is pruned together; fine-grained if null.</param>
    /// <returns>These masks, for chaining.</returns>
    /// <exception cref="ArgumentException">A weight holds NaN, or the scope names an unknown layer.</exception>
    public ModelMasks Prune(Scope scope, IImportance? criterion = null, Granularity? granularity = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        criterion ??= Importance.Magnitude;
        granularity ??= Granularity.FineGrained;
        using var noGrad = no_grad();
        using var disposeScope = NewDisposeScope();
        SaveOriginals();

        // Per layer: group scores and which groups are alive (a group is alive while any of its weights is).
        var layers = new List<(string Name, Tensor Scores, Tensor Alive)>();
        foreach (var (name, weight) in weights)
        {
            if (weight.isnan().any().item<bool>())
                throw new ArgumentException($"'{name}' contains NaN weights; pruning would rank them arbitrarily. Check the training run (learning rate too high?) before pruning.");
            granularity.Validate(name, weight);
            var scores = granularity.GroupScores(criterion.Score(name, weight).to(float64)).flatten();
            var alive = granularity.GroupScores(masks[name].to(float64)).flatten().gt(0);
            layers.Add((name, scores, alive));
        }

        var pruneGroups = new Dictionary<string, Tensor>();
        switch (scope)
        {
            case Scope.LayerWiseScope layerWise:
                var perLayer = layerWise.PerLayer?.ToDictionary(p => ResolveOrThrow(p.Key), p => p.Value);
                foreach (var (name, scores, alive) in layers)
                {
                    Amount amount;
                    if (perLayer is null) amount = layerWise.Default;
                    else if (!perLayer.TryGetValue(name, out amount)) continue;
                    var count = amount.CountFor(alive.sum().item<long>(), $"'{name}'");
                    pruneGroups[name] = Selection.Lowest(scores, alive, count);
                }
                break;
            case Scope.GlobalScope global:
                var allScores = cat(layers.Select(l => l.Scores).ToList());
                var allAlive = cat(layers.Select(l => l.Alive).ToList());
                var chosen = Selection.Lowest(allScores, allAlive, global.Amount.CountFor(allAlive.sum().item<long>(), "the model"));
                long offset = 0;
                foreach (var (name, scores, _) in layers)
                {
                    pruneGroups[name] = chosen.narrow(0, offset, scores.shape[0]);
                    offset += scores.shape[0];
                }
                break;
        }

        foreach (var (name, prune) in pruneGroups)
        {
            var groupKeep = prune.logical_not().to(float32);
            var keep = granularity.Expand(groupKeep, weights[name].shape);
            masks[name].mul_(keep);
        }
        Apply();
        return this;
    }

    /// <summary>
    /// Prunes until the masked weights reach <paramref name="targetSparsity"/>: globally (one ranking) or uniformly
    /// (every layer to the same sparsity). Already-pruned weights stay pruned; a target at or below the current
    /// sparsity changes nothing. Used by the iterative and gradual schedules.
    /// </summary>
    public ModelMasks PruneTo(double targetSparsity, bool global = true, IImportance? criterion = null, Granularity? granularity = null)
    {
        _ = Amount.Of(targetSparsity);   // validates the range with a clear message
        // Only the masked layers count: an excluded layer is neither pruned nor part of the target.
        var layers = Report().Layers.Where(l => weights.ContainsKey(l.Name)).ToList();
        if (global)
        {
            var current = layers.Sum(l => l.Zeros) / (double)layers.Sum(l => l.Total);
            var fraction = current >= targetSparsity ? 0 : Math.Clamp((targetSparsity - current) / (1 - current), 0, 1);
            return Prune(Scope.Global(fraction), criterion, granularity);
        }
        var perLayer = layers.ToDictionary(l => l.Name,
            l => l.Sparsity >= targetSparsity ? 0 : Math.Clamp((targetSparsity - l.Sparsity) / (1 - l.Sparsity), 0, 1));
        return Prune(Scope.LayerWise(perLayer), criterion, granularity);
    }

    /// <summary>Multiplies every weight by its mask (pruned weights become exactly zero).</summary>
    public void Apply()
    {
        using var noGrad = no_grad();
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
        using var noGrad = no_grad();
        foreach (var (name, weight) in weights)
        {
            if (originals.TryGetValue(name, out var original))
                weight.copy_(masks[name].to(weight.dtype) * weight + (1 - masks[name].to(weight.dtype)) * original);
            masks[name].fill_(1);
        }
        // Nothing is pruned any more: the next Prune keeps the values it finds.
        foreach (var original in originals.Values) original.Dispose();
        originals.Clear();
    }

    /// <summary>
    /// Makes the pruning permanent: the weights keep their zeros and the masks are forgotten (all ones again), so
    /// nothing holds the zeros during further training.
    /// </summary>
    public void Remove()
    {
        Apply();
        foreach (var mask in masks.Values) mask.fill_(1);
        foreach (var original in originals.Values) original.Dispose();
        originals.Clear();
    }

    /// <summary>Sparsity of the masks (fraction of zeros) per layer and overall.</summary>
    public SparsityReport Report(long[]? inputShape = null) => SparsityReport.Of(model, inputShape, masks);

    /// <summary>Saves the model's weights and these masks to one checkpoint file.</summary>
    public void Save(string path) => Checkpoint.Save(model, path, masks.ToDictionary(p => MaskPrefix + p.Key, p => p.Value));

    /// <summary>
    /// Loads weights and masks saved by <see cref="Save"/> into <paramref name="model"/> (same architecture) and
    /// returns its masks.
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the model, or holds no masks.</exception>
    public static ModelMasks Load(nn.Module model, string path)
    {
        var extras = Checkpoint.Load(model, path);
        var saved = extras.Where(p => p.Key.StartsWith(MaskPrefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[MaskPrefix.Length..], p => p.Value);
        if (saved.Count == 0) throw new InvalidDataException($"'{path}' holds a model but no masks; load it with Checkpoint.Load.");
        var all = model.named_parameters().Where(p => p.parameter.dim() >= 2).ToDictionary(p => p.name, p => p.parameter);
        var unknown = saved.Keys.Except(all.Keys).ToList();
        if (unknown.Count > 0) throw new InvalidDataException($"'{path}' has masks for {string.Join(", ", unknown)}, which {model.GetName()} does not have.");
        var result = new ModelMasks(model, saved.Keys.ToDictionary(k => k, k => all[k]));
        foreach (var (name, mask) in saved) result.masks[name].copy_(mask);
        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var mask in masks.Values) mask.Dispose();
        foreach (var original in originals.Values) original.Dispose();
    }

    private const string MaskPrefix = "mask::";

    private void SaveOriginals()
    {
        if (originals.Count > 0) return;
        foreach (var (name, weight) in weights) originals[name] = weight.detach().clone().DetachFromDisposeScope();
    }

    private string NameOf(string name) => Resolve(weights.Keys, name)
        ?? throw new KeyNotFoundException($"'{name}' is not a masked layer. Masked: {string.Join(", ", weights.Keys)}.");

    private string ResolveOrThrow(string name) => Resolve(weights.Keys, name)
        ?? throw new ArgumentException($"Unknown layer '{name}'. Masked layers: {string.Join(", ", weights.Keys)}.");

    private static string? Resolve(IEnumerable<string> names, string name) =>
        names.FirstOrDefault(n => n == name || n == name + ".weight");

    private sealed class HoldMasks(ModelMasks masks) : ITrainingHook
    {
        public void AfterOptimizerStep(nn.Module model, long step) => masks.Apply();
    }
}
