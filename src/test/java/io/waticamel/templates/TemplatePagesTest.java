package io.waticamel.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TemplatePagesTest {

    final ObjectMapper mapper = new ObjectMapper();

    JsonNode json(String text) throws Exception {
        return mapper.readTree(text.replace('\'', '"'));
    }

    @Test
    void aTemplateHasItsCustomParamsInOrderItsLanguageAndStatus() throws Exception {
        Template t = Template.of(json("{'id':'1','elementName':'order_update','category':'UTILITY','status':'approved',"
                + "'language':{'key':'English','value':'en','text':'English'},'body':'Hi {{customer_name}}',"
                + "'customParams':[{'paramName':'customer_name','paramValue':'Ann'},{'name':'order_number'}]}"));
        assertThat(t).isEqualTo(new Template("order_update", "en", "APPROVED", "UTILITY", List.of("customer_name", "order_number")));
        assertThat(t.approved()).isTrue();
    }

    @Test
    void withoutCustomParamsTheBodysPlaceholdersAreTheParameters() throws Exception {
        Template t = Template.of(json("{'elementName':'welcome','status':'PENDING','language':'pt_BR',"
                + "'header':{'text':'Hello {{ name }}'},'body':'Dear {{name}}, your code is {{1}} ({{2}})'}"));
        assertThat(t.parameters()).containsExactly("name", "1", "2");
        assertThat(t.language()).isEqualTo("pt_BR");
        assertThat(t.approved()).isFalse();
        assertThat(Template.of(json("{'status':'APPROVED'}"))).isNull();
    }

    @Test
    void pagesAreReadUntilTheTotalIsReached() throws Exception {
        TemplatePages pages = new TemplatePages();
        pages.add(json("{'messageTemplates':[{'elementName':'a','status':'APPROVED'},{'elementName':'b','status':'APPROVED'}],"
                + "'link':{'pageNumber':1,'pageSize':2,'total':3}}"), 2);
        assertThat(pages.complete()).isFalse();
        pages.add(json("{'messageTemplates':[{'elementName':'c','status':'APPROVED'}],'link':{'pageNumber':2,'pageSize':2,'total':3}}"), 2);
        assertThat(pages.complete()).isTrue();
        assertThat(pages.templates()).extracting(Template::name).containsExactly("a", "b", "c");
    }

    @Test
    void aServerThatIgnoresThePageNumberCannotMakeTheLoadLoop() throws Exception {
        TemplatePages pages = new TemplatePages();
        String same = "{'messageTemplates':[{'elementName':'a'},{'elementName':'b'}],'link':{'total':10}}";
        pages.add(json(same), 2);
        assertThat(pages.complete()).isFalse();
        pages.add(json(same), 2);
        assertThat(pages.complete()).isTrue();
        assertThat(pages.templates()).hasSize(2);
    }

    @Test
    void withoutATotalAShortPageIsTheLast() throws Exception {
        TemplatePages pages = new TemplatePages();
        pages.add(json("{'messageTemplates':[{'elementName':'a'},{'elementName':'b'}]}"), 2);
        assertThat(pages.complete()).isFalse();
        pages.add(json("{'messageTemplates':[{'elementName':'c'}]}"), 2);
        assertThat(pages.complete()).isTrue();
    }

    @Test
    void anAnswerWithoutTemplatesIsNotACatalogue() throws Exception {
        assertThatThrownBy(() -> new TemplatePages().add(json("{'result':true}"), 100)).hasMessageContaining("no messageTemplates");
    }
}
