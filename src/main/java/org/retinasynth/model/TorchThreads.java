package org.retinasynth.model;

import org.retinasynth.common.RoleProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * Leaves request threads a core when the API and the jobs share one process: libtorch would
 * otherwise keep every core busy (and its OpenMP threads spin between ops), and a job-status poll
 * then waits behind a training step.
 */
@Component
class TorchThreads {

    /**
     * @param intraOpThreads libtorch intra-op threads; null = all cores for role {@code worker},
     *                       all cores but one for role {@code all}
     */
    @ConfigurationProperties("retinasynth.torch")
    record Properties(Integer intraOpThreads) {
    }

    TorchThreads(Properties properties, RoleProperties role) {
        TorchRuntime.intraOpThreads(role.role().workThreads(properties.intraOpThreads(),
                Runtime.getRuntime().availableProcessors()));
    }
}
