using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GanCluster.Hosting.Settings;

/// <summary>Registers plain options classes that are bound from a section and checked before the host starts.</summary>
public static class ValidatedOptions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from <paramref name="section"/>, validates its DataAnnotations and
    /// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules on start, and logs its values (secrets masked).
    /// </summary>
    /// <remarks>Bound once at start-up (no reload): our hosts restart to change settings.</remarks>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class
    {
        // Not BindConfiguration: its binder error names the key but not the switch or variable that set it.
        var options = services.AddOptions<TOptions>()
            .Configure<IConfiguration>((value, configuration) => SettingsBinder.Bind(configuration, section, value))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(sp => new SettingsValidator<TOptions>(section, sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(new SettingsSection(section, sp => sp.GetRequiredService<IOptions<TOptions>>().Value));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SettingsReport>());
        return options;
    }
}
