package sh.stagehand.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import sh.stagehand.spi.Sha256;
import sh.stagehand.spi.StagehandException;
import sh.stagehand.spi.StandardErrorCode;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A bridge network per tenant, made when its first container starts: Docker keeps user-defined
 * bridges apart from each other (its isolation rules drop what one forwards to another), so one
 * tenant's containers never reach another's. Each takes a {@code /24} of the configured pool,
 * which the database server admits build roles from, and a bridge interface named
 * {@code shb<12 hex>}, by which the host's firewall tells tenants' traffic from the platform's.
 * Thread-safe.
 */
public final class TenantNetworks
{
    public static final String BRIDGE_PREFIX = "shb";
    private static final String TENANT_LABEL = "sh.stagehand.tenant";

    private final DockerClient client;
    private final String instanceName;
    private final String instanceLabel;
    private final long poolStart;
    private final long poolSize;

    public TenantNetworks(DockerClient client, String instanceName, String instanceLabel, String pool)
    {
        this.client = requireNonNull(client, "client is null");
        this.instanceName = requireNonNull(instanceName, "instanceName is null");
        this.instanceLabel = requireNonNull(instanceLabel, "instanceLabel is null");
        String[] parts = pool.split("/");
        int prefix = Integer.parseInt(parts[1]);
        this.poolSize = 1L << (32 - prefix);
        this.poolStart = address(parts[0]) & ~(poolSize - 1);
    }

    /**
     * The tenant's network, made if it does not exist yet.
     *
     * @return its name
     */
    public synchronized String of(String tenant)
    {
        String name = instanceName + "-tenant-" + tenant;
        try {
            client.inspectNetworkCmd().withNetworkId(name).exec();
            return name;
        }
        catch (NotFoundException e) {
            // made below
        }
        Set<Long> taken = new HashSet<>();
        for (Network network : client.listNetworksCmd().exec()) {
            if (network.getIpam() != null && network.getIpam().getConfig() != null) {
                for (Network.Ipam.Config config : network.getIpam().getConfig()) {
                    if (config.getSubnet() != null && config.getSubnet().matches("[0-9.]+/[0-9]+")) {
                        taken.add(address(config.getSubnet().split("/")[0]) & ~0xffL);
                    }
                }
            }
        }
        for (long subnet = poolStart; subnet < poolStart + poolSize; subnet += 256) {
            if (taken.contains(subnet)) {
                continue;
            }
            try {
                client.createNetworkCmd()
                        .withName(name)
                        .withDriver("bridge")
                        .withCheckDuplicate(true)
                        .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet(dotted(subnet) + "/24").withGateway(dotted(subnet + 1))))
                        .withOptions(Map.of("com.docker.network.bridge.name", bridgeName(tenant)))
                        .withLabels(Map.of(instanceLabel, instanceName, TENANT_LABEL, tenant))
                        .exec();
                return name;
            }
            catch (DockerException e) {
                // Another engine user took that range (or that name) meanwhile: the next range, or the name is there now.
                if (exists(name)) {
                    return name;
                }
            }
        }
        throw new StagehandException(StandardErrorCode.PROVIDER_ERROR, "No /24 of the tenant network pool " + dotted(poolStart) + "/" + (32 - Long.numberOfTrailingZeros(poolSize))
                + " is free for tenant " + tenant + "'s network; give docker.tenant-network-pool a wider range (and the database server's pg_hba.conf with it)");
    }

    /**
     * @return the names of this platform's tenant networks
     */
    public List<String> list()
    {
        return client.listNetworksCmd().withFilter("label", List.of(instanceLabel + "=" + instanceName, TENANT_LABEL)).exec().stream()
                .map(Network::getName)
                .toList();
    }

    private boolean exists(String name)
    {
        try {
            client.inspectNetworkCmd().withNetworkId(name).exec();
            return true;
        }
        catch (NotFoundException e) {
            return false;
        }
    }

    // A Linux interface name is at most 15 characters: the prefix and a hash of who it is for.
    private String bridgeName(String tenant)
    {
        return BRIDGE_PREFIX + Sha256.hex(instanceName + "/" + tenant).substring(0, 12);
    }

    private static long address(String dotted)
    {
        long value = 0;
        for (String part : dotted.split("\\.")) {
            value = (value << 8) | Integer.parseInt(part);
        }
        return value;
    }

    private static String dotted(long address)
    {
        return ((address >> 24) & 0xff) + "." + ((address >> 16) & 0xff) + "." + ((address >> 8) & 0xff) + "." + (address & 0xff);
    }
}
