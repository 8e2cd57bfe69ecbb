package org.retinasynth.api;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** A browser pointed at the bare host lands on the interactive documentation, not on a 404. */
@Controller
@Hidden
class RootRedirect {

    @GetMapping("/")
    String root() {
        return "redirect:/swagger-ui.html";
    }
}
