package io.tailshard.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GoRegexTest {
  @Test
  void namedGroupsInEitherGoSpellingKeepTheirNamesUnderscoresIncluded() {
    GoRegex r = GoRegex.compile("^(?P<http_method>[A-Z]+) (?<path>/[^ ]*)( HTTP/(\\d))?$");
    assertEquals(List.of("", "http_method", "path", "", ""), r.groupNames());
    assertEquals("GET:/a", r.replaceAll("GET /a", "${http_method}:$path"));
  }

  @Test
  void findMatchesAnywhereLikeMatchString() {
    assertTrue(GoRegex.compile("token").find("csrf_token_value"));
    assertFalse(GoRegex.compile("^token").find("csrf_token"));
    assertTrue(GoRegex.compile("[[:digit:]]{3}").find("a123"));
  }

  @Test
  void replaceAllFollowsGosRulesForEmptyMatchesAndExpansion() {
    // Java would replace twice ("XX"): the empty match at the end abuts the previous match.
    assertEquals("X", GoRegex.compile(".*").replaceAll("abc", "X"));
    assertEquals("XbX", GoRegex.compile("a*").replaceAll("b", "X"));
    assertEquals("-a-b-c-", GoRegex.compile("x*").replaceAll("abc", "-"));
    // $1x is the group named "1x" (absent, so empty); ${1}x is group 1 then x; $$ is a dollar.
    assertEquals("<>|<kx>|$", GoRegex.compile("(k)").replaceAll("k", "<$1x>|<${1}x>|$$"));
    assertEquals("k8s.foo_.bar", GoRegex.compile("^kube_([0-9A-Za-z]+_)").replaceAll("kube_foo_bar", "k8s.$1."));
    assertEquals("a$", GoRegex.compile("b").replaceAll("b", "a$"), "a lone $ is literal");
    assertEquals("****", GoRegex.compile(".*").replaceAllFunc("secret", s -> "****"));
  }
}
