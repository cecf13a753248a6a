namespace PruningLab.Data;

/// <summary>Kind of place a dataset file was found, in search order.</summary>
public enum DataOrigin
{
    /// <summary>The directory named by <c>PRUNINGLAB_DATA</c> (or <see cref="DatasetSearchOptions.DataDirectory"/>).</summary>
    UserDirectory,
    /// <summary>The download cache (<c>datasets/cache/&lt;dataset&gt;/</c>).</summary>
    Cache,
    /// <summary>A read-only system directory such as Debian's; read in place, never copied.</summary>
    System,
    /// <summary>The committed sample in the repository.</summary>
    Sample,
    /// <summary>Just downloaded into the cache.</summary>
    Downloaded,
}

/// <summary>One directory to look in, with the advice to give if a file there is damaged.</summary>
/// <param name="Directory">Directory holding <c>&lt;file&gt;.gz</c> or the raw <c>&lt;file&gt;</c>.</param>
/// <param name="Origin">What kind of place it is.</param>
/// <param name="Fix">What the user should do about a damaged file here.</param>
public sealed record SearchLocation(string Directory, DataOrigin Origin, string Fix);
